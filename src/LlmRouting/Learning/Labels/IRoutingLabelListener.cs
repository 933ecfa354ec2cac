namespace LlmRouting.Learning;

/// <summary>Is told about each label this app instance records (e.g. the adaptive learner); register as a singleton.</summary>
public interface IRoutingLabelListener
{
    /// <summary>Called once per label, after it was stored.</summary>
    /// <param name="label">The label.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the label was taken in.</returns>
    ValueTask OnLabelAsync(RoutingLabel label, CancellationToken cancellationToken);
}
