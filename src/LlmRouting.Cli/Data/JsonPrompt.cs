using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting.Cli.Data;

/// <summary>
/// The prompt field of a JSONL line: a string (one user message), an array of strings (the user's turns, in order) or an
/// array of chat messages (<c>{"role": …, "content": …}</c>, or ShareGPT's <c>{"from": …, "value": …}</c>), so labelled
/// conversations are routed and scored as the conversations they are.
/// </summary>
internal static class JsonPrompt
{
    /// <summary>The role names read (OpenAI's and ShareGPT's), case-insensitively.</summary>
    private static readonly (string Name, ChatRole Role)[] Roles =
    [
        ("system", ChatRole.System), ("developer", ChatRole.System), ("user", ChatRole.User), ("human", ChatRole.User),
        ("assistant", ChatRole.Assistant), ("gpt", ChatRole.Assistant), ("model", ChatRole.Assistant), ("bot", ChatRole.Assistant),
        ("tool", ChatRole.Tool), ("function", ChatRole.Tool),
    ];

    /// <summary>Reads the field.</summary>
    /// <param name="value">The field's value.</param>
    /// <param name="where">Where it is, for errors: <c>'file' line n: field 'prompt'</c>.</param>
    /// <returns>The text the text routers read (of a conversation, its latest user message) and the conversation, if it is one.</returns>
    /// <exception cref="CliException">A value that is no prompt, naming where it is and what is wrong.</exception>
    public static (string Text, IReadOnlyList<ChatMessage>? Conversation) Read(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.String => (value.GetString()!, null),
        JsonValueKind.True => ("True", null),
        JsonValueKind.False => ("False", null),
        JsonValueKind.Number => (value.GetRawText(), null),
        JsonValueKind.Array => Conversation(value, where),
        JsonValueKind.Null => throw new CliException($"{where} is null; a prompt is a string, an array of the user's turns or an array of messages."),
        _ => throw new CliException($"{where} is a JSON object; a prompt is a string, an array of the user's turns or an array of messages (pass the field that holds them with --prompt-column)."),
    };

    private static (string Text, IReadOnlyList<ChatMessage>? Conversation) Conversation(JsonElement array, string where)
    {
        var messages = new List<ChatMessage>(array.GetArrayLength());
        JsonValueKind kind = JsonValueKind.Undefined;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string at = $"{where}, item {messages.Count}";
            if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.Object))
            {
                throw new CliException($"{at} is neither a string (a user turn) nor a message object.");
            }

            if (kind != JsonValueKind.Undefined && item.ValueKind != kind)
            {
                throw new CliException($"{at} mixes strings and messages; use one or the other.");
            }

            kind = item.ValueKind;
            messages.Add(kind == JsonValueKind.String ? new ChatMessage(ChatRole.User, item.GetString()) : Message(item, at));
        }

        if (messages.Count == 0)
        {
            throw new CliException($"{where} is an empty array: no user turn to route.");
        }

        if (messages[^1].Role == ChatRole.Assistant)
        {
            throw new CliException($"{where} ends with an assistant message: the outcomes are of the answer to the conversation, so it ends before that answer.");
        }

        string text = new RoutingRequest(messages).LastUserText;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliException($"{where} has no user message with text.");
        }

        return (text, messages);
    }

    private static ChatMessage Message(JsonElement item, string at)
    {
        JsonElement role = Property(item, "role", "from", at);
        if (role.ValueKind != JsonValueKind.String)
        {
            throw new CliException($"{at}: the role is not a string.");
        }

        string name = role.GetString()!.Trim();
        int known = Array.FindIndex(Roles, r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
        if (known < 0)
        {
            throw new CliException($"{at}: unknown role '{name.ToLowerInvariant()}'; the roles read are {string.Join(", ", Roles.Select(r => r.Name))}.");
        }

        return new ChatMessage(Roles[known].Role, Content(Property(item, "content", "value", at), at));
    }

    private static JsonElement Property(JsonElement item, string name, string alternative, string at) =>
        item.TryGetProperty(name, out JsonElement value) || item.TryGetProperty(alternative, out value)
            ? value
            : throw new CliException($"{at}: a message needs '{name}' (or '{alternative}'); it has {string.Join(", ", item.EnumerateObject().Select(p => $"'{p.Name}'"))}.");

    /// <summary>A message's text: a string, <c>null</c> (an assistant message that only calls tools) or an array of text parts.</summary>
    private static string Content(JsonElement content, string at)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Null:
                return string.Empty;
            case JsonValueKind.Array:
                var parts = new List<string>();
                foreach (JsonElement part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(part.GetString()!);
                    }
                    else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(text.GetString()!);
                    }
                    else
                    {
                        string type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out JsonElement t) ? t.ToString() : part.ValueKind.ToString();
                        throw new CliException($"{at}: a content part of type '{type}' has no text; only text parts are read.");
                    }
                }

                return string.Join('\n', parts);
            default:
                throw new CliException($"{at}: the content is neither a string, null nor an array of text parts.");
        }
    }
}
