using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace WebApi;

/// <summary>Registers one keyed <see cref="IChatClient"/> per entry of the <c>Providers</c> section, over the official OpenAI client.</summary>
internal static class ProviderClients
{
    public const string SectionName = "Providers";

    public static void Add(IServiceCollection services, IConfigurationSection section)
    {
        foreach (IConfigurationSection provider in section.GetChildren())
        {
            string target = provider.Key;
            string path = $"{SectionName}:{target}";
            if (!Uri.TryCreate(provider["Endpoint"], UriKind.Absolute, out Uri? endpoint))
            {
                throw new InvalidOperationException($"{path}:Endpoint must be an absolute URI (was '{provider["Endpoint"]}').");
            }

            string model = provider["Model"] is { Length: > 0 } m ? m : target;
            services.AddKeyedChatClient(target, _ =>
            {
                // Read when the router is built, so a key set in the environment after start-up configuration is still found.
                string key = provider["ApiKey"] is { Length: > 0 } k ? k
                    : Environment.GetEnvironmentVariable("OPENAI_API_KEY") is { Length: > 0 } env ? env
                    : throw new InvalidOperationException($"{path}:ApiKey is not set and neither is the OPENAI_API_KEY environment variable.");
                return new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = endpoint })
                    .GetChatClient(model)
                    .AsIChatClient();
            });
        }
    }
}
