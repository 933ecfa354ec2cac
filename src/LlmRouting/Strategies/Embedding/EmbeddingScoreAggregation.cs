namespace LlmRouting.Strategies;

/// <summary>How the similarities of a route's top-k utterances combine into the route's score (as in MEAI's SemanticRoutingChatClient).</summary>
public enum EmbeddingScoreAggregation
{
    /// <summary>The mean of the matching utterances' similarities.</summary>
    Mean,

    /// <summary>The sum of the matching utterances' similarities (more matches, more weight).</summary>
    Sum,
}
