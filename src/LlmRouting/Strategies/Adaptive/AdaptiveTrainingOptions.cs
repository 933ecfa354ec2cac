namespace LlmRouting.Strategies;

/// <summary>Settings of <see cref="AdaptiveTrainer"/>: how many regions, how they are pooled, and what the model records.</summary>
public sealed class AdaptiveTrainingOptions
{
    /// <summary>The default embedding size.</summary>
    public const int DefaultDimensions = 4096;

    /// <summary>Gets or sets the largest number of regions (centroids of the local embedding).</summary>
    /// <value>The default is 64.</value>
    public int Regions { get; set; } = 64;

    /// <summary>Gets or sets a value indicating whether each known group of the examples (<see cref="AdaptiveExample.Group"/>) is one region, its centroid the mean of its embeddings, instead of k-means regions.</summary>
    /// <value>The default is <see langword="false"/>. When any example has no group, or all share one, the regions are k-means ones.</value>
    public bool GroupRegions { get; set; }

    /// <summary>Gets or sets a value indicating whether the embedding's buckets are weighted by their inverse document frequency in the examples before regions are found (rare, topical features weigh more).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool InverseDocumentFrequency { get; set; } = true;

    /// <summary>Gets or sets the passes of softmax regression that refine group centroids into a classifier of the groups (with <see cref="GroupRegions"/>); 0 keeps the mean centroids.</summary>
    /// <value>The default is 8.</value>
    public int DiscriminativeEpochs { get; set; } = 8;

    /// <summary>Gets or sets the fewest labels per region: fewer labels make fewer regions.</summary>
    /// <value>The default is 10.</value>
    public int MinLabelsPerRegion { get; set; } = 10;

    /// <summary>Gets or sets the embedding size (a power of two from 32 to 8192).</summary>
    /// <value>The default is 4096: topical words need room to stay apart (on MMLU, 256 dimensions lose 0.03 APGR).</value>
    public int Dimensions { get; set; } = DefaultDimensions;

    /// <summary>Gets or sets the k-means iterations.</summary>
    /// <value>The default is 12.</value>
    public int Iterations { get; set; } = 12;

    /// <summary>Gets or sets the number of nearest centroids pooled per request.</summary>
    /// <value>The default is 5.</value>
    public int Neighbours { get; set; } = 5;

    /// <summary>Gets or sets the softmax temperature over centroid similarities (smaller = nearer centroids weigh more).</summary>
    /// <value>The default is 0.02.</value>
    public double Temperature { get; set; } = 0.02;

    /// <summary>Gets or sets the similarity to the nearest centroid below which the prior is kept.</summary>
    /// <value>The default is 0.</value>
    public double GateLow { get; set; }

    /// <summary>Gets or sets the similarity to the nearest centroid from which a region's shift applies in full; at or below <see cref="GateLow"/> the gate is off.</summary>
    /// <value>The default is 0 (no gate).</value>
    public double GateHigh { get; set; }

    /// <summary>
    /// Gets or sets the number of inner folds on which the trainer chooses the share of the region shift that is applied
    /// (<see cref="AdaptiveModel.ShiftScale"/>), from 1, 0.95, 0.9, 0.85, 0.8 and 0.75; 0 applies the whole shift.
    /// </summary>
    /// <remarks>
    /// Needs a <see cref="AdaptiveExample.Group"/> on every example and at least this many groups (else the whole shift
    /// applies). The trainer fits models on inner folds of whole groups (how the shift carries over to a group it never
    /// saw) and of random examples (in distribution), and picks the share whose worst inner group fold gains most over the
    /// default score's ranking among those whose in-distribution ranking loses at most <see cref="BlendTolerance"/>
    /// APGR against the whole shift. The held-out data of an evaluation is never used. Training costs 2 × folds + 1 fits.
    /// </remarks>
    /// <value>The default is 0 (off); <c>llmroute train</c> and <c>eval</c> use 5 with group regions.</value>
    public int BlendFolds { get; set; }

    /// <summary>Gets or sets how much in-distribution APGR (measured on the inner folds by example) the blend may give up against the whole shift.</summary>
    /// <value>The default is 0.002.</value>
    public double BlendTolerance { get; set; } = 0.002;

    /// <summary>Gets or sets the seed of the k-means initialisation.</summary>
    /// <value>The default is 1.</value>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets the version written into the model; <see langword="null"/> derives one from the content.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Version { get; set; }

    /// <summary>Gets or sets a description stored in the model file.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Description { get; set; }

    /// <summary>Gets free-form training notes stored in the model file.</summary>
    public IDictionary<string, string> Notes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Returns a copy of these options without the blend (the inner fits of <see cref="BlendFolds"/>).</summary>
    internal AdaptiveTrainingOptions WithoutBlend()
    {
        var copy = (AdaptiveTrainingOptions)MemberwiseClone();
        copy.BlendFolds = 0;
        copy.Version = "inner";
        return copy;
    }

    internal void Validate()
    {
        Require(Regions is >= 1 and <= 4096, $"{nameof(Regions)} must be in [1, 4096] (was {Regions}).");
        Require(MinLabelsPerRegion >= 1, $"{nameof(MinLabelsPerRegion)} must be at least 1 (was {MinLabelsPerRegion}).");
        Require(Dimensions is >= 32 and <= 8192 && (Dimensions & (Dimensions - 1)) == 0, $"{nameof(Dimensions)} must be a power of two from 32 to 8192 (was {Dimensions}).");
        Require(Iterations is >= 1 and <= 200, $"{nameof(Iterations)} must be in [1, 200] (was {Iterations}).");
        Require(Neighbours is >= 1 and <= 64, $"{nameof(Neighbours)} must be in [1, 64] (was {Neighbours}).");
        Require(Temperature > 0 && double.IsFinite(Temperature), $"{nameof(Temperature)} must be positive (was {Temperature}).");
        Require(BlendFolds is 0 or (>= 2 and <= 20), $"{nameof(BlendFolds)} must be 0 (off) or in [2, 20] (was {BlendFolds}).");
        Require(BlendTolerance is >= 0 and < 1, $"{nameof(BlendTolerance)} must be in [0, 1) (was {BlendTolerance}).");
        Require(GateLow is >= -1 and <= 1 && GateHigh is >= -1 and <= 1, $"{nameof(GateLow)} and {nameof(GateHigh)} must be in [-1, 1] (were {GateLow}, {GateHigh}).");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
