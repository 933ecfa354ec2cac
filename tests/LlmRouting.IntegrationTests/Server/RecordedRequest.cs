namespace LlmRouting.IntegrationTests;

/// <summary>A chat-completions request as the fake server received it.</summary>
/// <param name="Model">The model id in the request body.</param>
/// <param name="Stream">Whether the client asked for SSE streaming.</param>
/// <param name="MessageCount">The number of messages.</param>
/// <param name="LastUserText">The text of the last user message.</param>
/// <param name="Body">The raw JSON body.</param>
/// <param name="ReceivedAt">When it arrived.</param>
public sealed record RecordedRequest(string Model, bool Stream, int MessageCount, string LastUserText, string Body, DateTimeOffset ReceivedAt);
