namespace LlmRouting.Learning;

/// <summary>Keeps routing labels (audits, outcomes, escalations) for the learners; in memory by default, Redis for many app instances.</summary>
/// <remarks>Implementations are bounded (the oldest labels are forgotten first), thread-safe, and never store text the label does not carry.</remarks>
public interface IRoutingLabelStore
{
    /// <summary>Adds a label.</summary>
    /// <param name="label">The label.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the label is stored.</returns>
    ValueTask AddAsync(RoutingLabel label, CancellationToken cancellationToken = default);

    /// <summary>Reads labels after a cursor, oldest first.</summary>
    /// <param name="cursor">The cursor of the previous batch; <see langword="null"/> to start at the oldest label kept.</param>
    /// <param name="maxCount">The most labels to return (at least 1).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The labels and the cursor to read on from.</returns>
    ValueTask<RoutingLabelBatch> ReadAsync(string? cursor, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Gets the number of labels kept.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The count.</returns>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);
}
