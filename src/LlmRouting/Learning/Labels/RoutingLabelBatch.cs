namespace LlmRouting.Learning;

/// <summary>Labels read from an <see cref="IRoutingLabelStore"/>, oldest first, and where to read on.</summary>
/// <param name="Labels">The labels.</param>
/// <param name="Cursor">Pass to the next <see cref="IRoutingLabelStore.ReadAsync"/> to read what follows (the same cursor when nothing was read).</param>
public sealed record RoutingLabelBatch(IReadOnlyList<RoutingLabel> Labels, string? Cursor);
