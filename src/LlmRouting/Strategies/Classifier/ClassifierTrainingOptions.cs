namespace LlmRouting.Strategies;

/// <summary>Settings for <see cref="ClassifierTrainer"/>.</summary>
public sealed class ClassifierTrainingOptions
{
    /// <summary>Gets or sets the number of hash bits (the hashed space has 2^bits weights; the model file grows with it).</summary>
    /// <value>The default is 15 (32 768 weights, about 175 KB of model file).</value>
    public int HashBits { get; set; } = 15;

    /// <summary>Gets or sets the shortest character n-gram (0 turns character n-grams off).</summary>
    /// <value>The default is 3.</value>
    public int CharNGramMin { get; set; } = 3;

    /// <summary>Gets or sets the longest character n-gram (0 turns character n-grams off).</summary>
    /// <value>The default is 3 (4-grams cost about a fifth more scoring time for no measured gain on MMLU).</value>
    public int CharNGramMax { get; set; } = 3;

    /// <summary>Gets or sets a value indicating whether the request analyzer's features join the text statistics (more signal, about a third more scoring time).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool IncludeRequestAnalysis { get; set; } = true;

    /// <summary>Gets or sets the number of passes over the training data.</summary>
    /// <value>The default is 8.</value>
    public int Epochs { get; set; } = 8;

    /// <summary>Gets or sets the initial SGD learning rate.</summary>
    /// <value>The default is 0.2.</value>
    public double LearningRate { get; set; } = 0.2;

    /// <summary>Gets the L2 regularisation strengths tried; the one with the best validation AUC is kept.</summary>
    /// <value>The default is 1e-6, 1e-5, 1e-4 and 1e-3.</value>
    public IList<double> L2Candidates { get; } = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1];

    /// <summary>Gets or sets the share of examples (whole groups when examples have groups) held out to choose the regularisation.</summary>
    /// <value>The default is 0.2.</value>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Gets or sets the random seed; the same data, options and seed always give the same model.</summary>
    /// <value>The default is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Gets or sets the description written to the model file.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Description { get; set; }

    /// <summary>Gets free-form notes written to the model file's <c>training</c> section (e.g. the data used).</summary>
    public IDictionary<string, string> Notes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
