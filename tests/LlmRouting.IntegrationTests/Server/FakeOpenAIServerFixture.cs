namespace LlmRouting.IntegrationTests;

/// <summary>Starts one <see cref="FakeOpenAIServer"/> for a test class.</summary>
public sealed class FakeOpenAIServerFixture : IAsyncLifetime
{
    /// <summary>Gets the running server.</summary>
    public FakeOpenAIServer Server { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync() => Server = await FakeOpenAIServer.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync() => await Server.DisposeAsync();
}
