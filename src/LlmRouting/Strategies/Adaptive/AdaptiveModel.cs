using System.Numerics.Tensors;
using LlmRouting.Embeddings;
using LlmRouting.Statistics;

namespace LlmRouting.Strategies;

/// <summary>
/// The adaptive router's estimate of premium need: the default premium-need score, calibrated, shifted per region of
/// request space by the evidence its labels pooled (empirical-Bayes shrinkage toward the prior).
/// </summary>
/// <remarks>
/// <para>
/// <c>score(x) = σ(A · logit(default(x)) + B + β · g(x) · Σ w_c(x) · shift_c)</c>: the regions are centroids of the local
/// embedding (<see cref="LocalEmbeddingGenerator"/>), <c>w_c</c> weighs the <see cref="Neighbours"/> nearest
/// centroids by <c>exp((sim_c − sim_max) / Temperature)</c>, <c>shift_c</c> is the region's shrunk shift
/// (<see cref="AdaptiveRegion.Shift"/>), and the gate <c>g</c> rises from 0 to 1 as the similarity to the nearest centroid
/// goes from <see cref="GateLow"/> to <see cref="GateHigh"/>, so a request unlike any labelled one keeps the prior;
/// β is <see cref="ShiftScale"/> (1 unless the trainer chose a blend, <see cref="AdaptiveTrainingOptions.BlendFolds"/>).
/// <see cref="Empty"/> (no labels) has A = 1, B = 0 and no regions: its score is the default score itself.
/// </para>
/// <para>
/// A model of group regions knows its groups' names (<see cref="Groups"/>); a request whose caller names a task that is
/// none of them keeps the calibrated prior σ(A · logit(default(x)) + B) (<see cref="Score(ReadOnlySpan{char}, double, string?)"/>).
/// </para>
/// <para>Immutable and thread-safe; <see cref="Score(ReadOnlySpan{char}, double)"/> allocates nothing (the embedding is on the stack).</para>
/// </remarks>
public sealed class AdaptiveModel
{
    private readonly float[] _centroids;
    private readonly float[] _weights;
    private readonly double[] _shifts;
    private readonly string[] _groups;
    private readonly Dictionary<string, int>? _regionOfTask;

    /// <summary>The centroids by dimension, for the similarities of a request to every region (built with the model, off the request path; shared by <see cref="WithEvidence"/>).</summary>
    private readonly CentroidMatrix _matrix;

    internal AdaptiveModel(AdaptiveModelParameters parameters, float[] weights, float[] centroids, AdaptiveRegion[] regions, string[]? groups = null)
        : this(parameters, weights, centroids, regions, groups, matrix: null)
    {
    }

    private AdaptiveModel(AdaptiveModelParameters parameters, float[] weights, float[] centroids, AdaptiveRegion[] regions, string[]? groups, CentroidMatrix? matrix)
    {
        Parameters = parameters;
        _weights = weights;
        _centroids = centroids;
        _matrix = matrix ?? new CentroidMatrix(centroids, regions.Length, parameters.Dimensions);
        Regions = regions;
        _shifts = [.. regions.Select(r => r.Shift(parameters.Tau2))];
        _groups = groups ?? [];
        if (_groups.Length > 0)
        {
            if (_groups.Length != regions.Length)
            {
                throw new ArgumentException($"A model with groups needs one group per region ({regions.Length}, was {_groups.Length}).", nameof(groups));
            }

            // Matched as the task metadata is normalised; of two groups that normalise alike, the first region answers.
            _regionOfTask = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < _groups.Length; i++)
            {
                _regionOfTask.TryAdd(DefaultRouteContextSelector.NormalizeTask(_groups[i]), i);
            }
        }
        Embedder = parameters.Dimensions == LocalEmbeddingGenerator.DefaultDimensions ? LocalEmbeddingGenerator.Default : new LocalEmbeddingGenerator(parameters.Dimensions);
    }

    /// <summary>
    /// The longest text the adaptive router embeds whole, as the embedding strategy's default window; a longer one is embedded
    /// by its first and last halves of this many characters (1.4 % of RouteLLM's MMLU prompts are longer).
    /// </summary>
    public const int MaxEmbeddedCharacters = EmbeddingRoutingOptions.DefaultMaxEmbeddedCharacters;

    /// <summary>Gets the model without labels: its score is the default premium-need score.</summary>
    public static AdaptiveModel Empty { get; } = new(AdaptiveModelParameters.Untrained("empty"), [], [], []);

    /// <summary>Gets the model's version (written by <c>llmroute train</c> or the online learner; recorded on every route it decides).</summary>
    public string Version => Parameters.Version;

    /// <summary>Gets the number of embedding dimensions.</summary>
    public int Dimensions => Parameters.Dimensions;

    /// <summary>Gets the regions (one per centroid).</summary>
    public IReadOnlyList<AdaptiveRegion> Regions { get; }

    /// <summary>Gets the known group of each region (a topic, task or source file the labels named), or empty when the regions were found by k-means.</summary>
    /// <remarks>
    /// A request whose caller names a task (the <c>task</c> metadata, <see cref="DefaultRouteContextSelector.TaskMetadataKey"/>)
    /// that is none of these groups is a topic the labels never covered: <see cref="Score(ReadOnlySpan{char}, double, string?)"/>
    /// keeps the calibrated prior for it instead of borrowing the shifts of the nearest regions.
    /// </remarks>
    public IReadOnlyList<string> Groups => _groups;

    /// <summary>Gets the number of labels the model learnt from.</summary>
    public double Labels => Regions.Sum(r => r.Labels);

    /// <summary>Gets the number of nearest centroids pooled per request.</summary>
    public int Neighbours => Parameters.Neighbours;

    /// <summary>Gets the softmax temperature over centroid similarities.</summary>
    public double Temperature => Parameters.Temperature;

    /// <summary>Gets the similarity to the nearest centroid below which the prior is kept unchanged.</summary>
    public double GateLow => Parameters.GateLow;

    /// <summary>Gets the similarity to the nearest centroid from which the region's shift applies in full.</summary>
    public double GateHigh => Parameters.GateHigh;

    /// <summary>Gets the share β of the pooled region shift that is added to the calibrated prior (0 keeps the prior, 1 the whole shift).</summary>
    public double ShiftScale => Parameters.ShiftScale;

    internal AdaptiveModelParameters Parameters { get; }

    internal ReadOnlySpan<float> Centroids => _centroids;

    /// <summary>Gets the per-dimension weights (inverse document frequency of each hashed bucket), or empty for none.</summary>
    internal ReadOnlySpan<float> Weights => _weights;

    internal LocalEmbeddingGenerator Embedder { get; }

    /// <summary>Scores a request: the estimated premium need, in [0, 1].</summary>
    /// <param name="text">The text the router embeds (the latest user message).</param>
    /// <param name="defaultScore">The request's default premium-need score (<see cref="Analysis.RequestAnalysis.PremiumNeed"/>).</param>
    /// <returns>The score; the default score itself when the model has no regions.</returns>
    public double Score(ReadOnlySpan<char> text, double defaultScore)
    {
        if (_shifts.Length == 0)
        {
            return Calibrated(defaultScore);
        }

        Span<float> embedding = stackalloc float[Dimensions];
        Embed(Embedder, text, embedding);
        return Score(embedding, defaultScore);
    }

    /// <summary>
    /// Embeds a request's text as the adaptive router does everywhere (decisions, labels, <c>llmroute train</c>): a text longer
    /// than <see cref="MaxEmbeddedCharacters"/> by its beginning and end (<see cref="EmbeddedWindow"/>), so a decision's cost
    /// stops growing with the prompt and a long text is embedded in training as it is when routed.
    /// </summary>
    /// <param name="generator">The local embedder of the model's dimensions.</param>
    /// <param name="text">The text.</param>
    /// <param name="destination">The embedding (the generator's dimensions).</param>
    internal static void Embed(LocalEmbeddingGenerator generator, ReadOnlySpan<char> text, Span<float> destination) =>
        EmbeddedWindow.Embed(generator, text, MaxEmbeddedCharacters, destination);

    /// <summary>
    /// Scores a request whose caller may name its task: a task that is none of the model's <see cref="Groups"/> keeps the
    /// calibrated prior; a task that is one of them takes its region's shift.
    /// </summary>
    /// <param name="text">The text the router embeds (the latest user message).</param>
    /// <param name="defaultScore">The request's default premium-need score.</param>
    /// <param name="task">The caller's <c>task</c> metadata, or <see langword="null"/> when it gave none (then as <see cref="Score(ReadOnlySpan{char}, double)"/>).</param>
    /// <returns>The score: the calibrated prior for a task the labels never named, the named region's estimate for one they did.</returns>
    /// <remarks>The regions of a model without groups (k-means) carry no task names, so the task changes nothing there.</remarks>
    public double Score(ReadOnlySpan<char> text, double defaultScore, string? task) =>
        Score(text, defaultScore, task, keepPriorForUnknownTasks: true, useTaskRegion: true, out _);

    /// <summary>
    /// Scores a request whose caller may name its task, with each of the task's two effects on or off (the strategy's
    /// <see cref="AdaptiveRoutingOptions.KeepPriorForUnknownTasks"/> and <see cref="AdaptiveRoutingOptions.UseTaskRegion"/>).
    /// </summary>
    /// <param name="text">The text the router embeds.</param>
    /// <param name="defaultScore">The request's default premium-need score.</param>
    /// <param name="task">The caller's <c>task</c> metadata, or <see langword="null"/>.</param>
    /// <param name="keepPriorForUnknownTasks">Whether a task that names none of the groups keeps the calibrated prior.</param>
    /// <param name="useTaskRegion">Whether a task that names a group takes that group's region.</param>
    /// <param name="basis">What the score rests on: the text, the prior of an unknown task, or the named task's region.</param>
    /// <returns>The score.</returns>
    internal double Score(ReadOnlySpan<char> text, double defaultScore, string? task, bool keepPriorForUnknownTasks, bool useTaskRegion, out TaskBasis basis)
    {
        if (task is not null && _regionOfTask is not null)
        {
            int region = RegionOfTask(task);
            if (region < 0 && keepPriorForUnknownTasks)
            {
                basis = TaskBasis.UnknownTask;
                return Calibrated(defaultScore);
            }

            if (region >= 0 && useTaskRegion)
            {
                basis = TaskBasis.TaskRegion;
                return ScoreInRegion(region, defaultScore);
            }
        }

        basis = TaskBasis.Text;
        return Score(text, defaultScore);
    }

    /// <summary>Scores a request known to belong to region <paramref name="region"/> (a task that names its group): the prior moved by that region's shift alone.</summary>
    internal double ScoreInRegion(int region, double defaultScore) =>
        _shifts.Length == 0 ? Calibrated(defaultScore) : Sigmoid(PriorLogit(defaultScore) + (ShiftScale * _shifts[region]));

    /// <summary>Returns the region named by a task (compared as the task metadata is normalised), or −1 when no region has that group.</summary>
    /// <param name="task">The task, e.g. the caller's <c>task</c> metadata.</param>
    /// <returns>The region index, or −1.</returns>
    public int RegionOfTask(string task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return _regionOfTask is not null && _regionOfTask.TryGetValue(DefaultRouteContextSelector.NormalizeTask(task), out int region) ? region : -1;
    }

    /// <summary>Returns whether a task names a topic the model's labels never covered: the model has groups and none is this task.</summary>
    /// <param name="task">The task.</param>
    /// <returns><see langword="true"/> when the prior should be kept for it.</returns>
    public bool IsUnknownTask(string task) => _regionOfTask is not null && RegionOfTask(task) < 0;

    /// <summary>Scores a request from its embedding.</summary>
    /// <param name="embedding">The request's embedding (<see cref="Dimensions"/> floats, L2-normalised).</param>
    /// <param name="defaultScore">The request's default premium-need score.</param>
    /// <returns>The score.</returns>
    /// <exception cref="ArgumentException"><paramref name="embedding"/> has the wrong length.</exception>
    public double Score(ReadOnlySpan<float> embedding, double defaultScore)
    {
        if (_shifts.Length == 0)
        {
            return Calibrated(defaultScore);
        }

        if (embedding.Length != Dimensions)
        {
            throw new ArgumentException($"The embedding must hold exactly {Dimensions} floats.", nameof(embedding));
        }

        return Sigmoid(PriorLogit(defaultScore) + (ShiftScale * PooledShift(embedding)));
    }

    /// <summary>Returns the pooled region shift of an embedding in log-odds, before <see cref="ShiftScale"/> (0 without regions).</summary>
    internal double PooledShift(ReadOnlySpan<float> embedding)
    {
        if (_shifts.Length == 0)
        {
            return 0;
        }

        Span<float> projected = stackalloc float[Dimensions];
        Project(embedding, _weights, projected);
        return Shift(projected);
    }

    /// <summary>Returns the nearest region of an embedding, or −1 when the model has none.</summary>
    /// <param name="embedding">The embedding.</param>
    /// <returns>The region index.</returns>
    public int NearestRegion(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Dimensions)
        {
            throw new ArgumentException($"The embedding must hold exactly {Dimensions} floats.", nameof(embedding));
        }

        if (_shifts.Length == 0)
        {
            return -1;
        }

        Span<float> projected = stackalloc float[Dimensions];
        Project(embedding, _weights, projected);
        Span<float> similarities = _shifts.Length <= 1_024 ? stackalloc float[_shifts.Length] : new float[_shifts.Length];
        _matrix.Similarities(projected, similarities);
        int best = -1;
        float bestSimilarity = float.NegativeInfinity;
        for (int c = 0; c < similarities.Length; c++)
        {
            if (similarities[c] > bestSimilarity)
            {
                (best, bestSimilarity) = (c, similarities[c]);
            }
        }

        return best;
    }

    /// <summary>Returns the calibrated prior of a default score (the model's premium-need estimate before any region shift).</summary>
    /// <param name="defaultScore">The default premium-need score.</param>
    /// <returns>σ(A · logit(default) + B).</returns>
    public double Prior(double defaultScore) => Sigmoid(PriorLogit(defaultScore));

    /// <summary>Returns this model with more evidence per region (online labels), τ² re-estimated, under a new version.</summary>
    /// <param name="evidence">Evidence per region to add (same length as <see cref="Regions"/>), measured against <see cref="Prior"/>.</param>
    /// <param name="version">The new model's version.</param>
    /// <returns>The new model; this one is unchanged.</returns>
    /// <exception cref="ArgumentException"><paramref name="evidence"/> does not have one entry per region.</exception>
    public AdaptiveModel WithEvidence(IReadOnlyList<AdaptiveRegion> evidence, string version)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (evidence.Count != Regions.Count)
        {
            throw new ArgumentException($"The evidence must have one entry per region ({Regions.Count}, was {evidence.Count}).", nameof(evidence));
        }

        AdaptiveRegion[] regions = [.. Regions.Select((r, i) => r.Add(evidence[i]))];
        double tau2 = AdaptiveTrainer.BetweenRegionVariance(regions);
        return new AdaptiveModel(Parameters with { Tau2 = tau2, Version = version }, _weights, _centroids, regions, _groups, _matrix);
    }

    /// <summary>Weighs an embedding per dimension and normalises it again (a copy when there are no weights).</summary>
    internal static void Project(ReadOnlySpan<float> embedding, ReadOnlySpan<float> weights, Span<float> destination)
    {
        if (weights.IsEmpty)
        {
            embedding.CopyTo(destination);
            return;
        }

        TensorPrimitives.Multiply(embedding, weights, destination);
        float norm = TensorPrimitives.Norm(destination);
        if (norm > 0)
        {
            TensorPrimitives.Divide(destination, norm, destination);
        }
    }

    internal static int NearestProjected(ReadOnlySpan<float> embedding, ReadOnlySpan<float> centroids, int k, int d, out float bestSim)
    {
        int best = -1;
        bestSim = float.NegativeInfinity;
        for (int c = 0; c < k; c++)
        {
            float sim = TensorPrimitives.Dot(embedding, centroids.Slice(c * d, d));
            if (sim > bestSim)
            {
                bestSim = sim;
                best = c;
            }
        }

        return best;
    }

    internal static double Logit(double p)
    {
        double q = Math.Clamp(double.IsNaN(p) ? 0.5 : p, 1e-6, 1 - 1e-6);
        return Math.Log(q / (1 - q));
    }

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    internal double PriorLogit(double defaultScore) => (Parameters.Slope * Logit(defaultScore)) + Parameters.Intercept;

    /// <summary>The calibrated prior of a default score: the score itself for an uncalibrated model (A = 1, B = 0), else <see cref="Prior"/>.</summary>
    internal double Calibrated(double defaultScore) =>
        Parameters is { Slope: 1, Intercept: 0 } ? defaultScore : Sigmoid(PriorLogit(defaultScore));

    private double Shift(ReadOnlySpan<float> embedding)
    {
        int m = Math.Min(Neighbours, _shifts.Length);
        Span<float> bestSim = stackalloc float[m];
        Span<int> bestIdx = stackalloc int[m];
        bestSim.Fill(float.NegativeInfinity);
        bestIdx.Fill(-1);
        Span<float> similarities = _shifts.Length <= 1_024 ? stackalloc float[_shifts.Length] : new float[_shifts.Length];
        _matrix.Similarities(embedding, similarities);
        for (int c = 0; c < similarities.Length; c++)
        {
            RouteTopK.Offer(similarities[c], c, bestSim, bestIdx);
        }

        double top = bestSim[0];
        if (bestIdx[0] < 0)
        {
            return 0;
        }

        double weighted = 0, total = 0;
        for (int j = 0; j < m && bestIdx[j] >= 0; j++)
        {
            double w = Math.Exp((bestSim[j] - top) / Temperature);
            weighted += w * _shifts[bestIdx[j]];
            total += w;
        }

        // The gate looks at the nearest region's share of the pooled weight (its posterior among the pooled regions):
        // a request between regions (a topic the labels never covered) keeps more of the prior.
        double confidence = 1 / total;
        double gate = GateHigh > GateLow ? Math.Clamp((confidence - GateLow) / (GateHigh - GateLow), 0, 1) : 1;
        return gate * weighted / total;
    }

    /// <summary>What a score rests on when the caller may name the request's task.</summary>
    internal enum TaskBasis
    {
        /// <summary>The text (no task, or its effect is off).</summary>
        Text,

        /// <summary>The calibrated prior: the task names none of the model's groups.</summary>
        UnknownTask,

        /// <summary>The named task's own region.</summary>
        TaskRegion,
    }
}
