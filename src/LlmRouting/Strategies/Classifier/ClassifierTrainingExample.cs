namespace LlmRouting.Strategies;

/// <summary>One labelled prompt for <see cref="ClassifierTrainer"/>.</summary>
/// <param name="Text">The prompt text.</param>
/// <param name="PremiumNeeded">Whether the premium target is needed (e.g. the economy model failed and the premium one succeeded).</param>
/// <param name="Group">An optional group (e.g. the subject or source file); validation holds out whole groups when several exist.</param>
public sealed record ClassifierTrainingExample(string Text, bool PremiumNeeded, string? Group = null);
