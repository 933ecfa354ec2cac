using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using LlmRouting.Embeddings;
using LlmRouting.Filtering;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>
/// Routes by semantic similarity to example utterances (like aurelio's semantic-router and MEAI's
/// <see cref="SemanticRoutingChatClient"/>): the latest user turn is embedded (a long one by its beginning and end, <see cref="EmbeddingRoutingOptions.MaxEmbeddedCharacters"/>), compared with every utterance by cosine
/// similarity (<see cref="TensorPrimitives"/> over one contiguous matrix), the top-k vote, and the best route decides —
/// or, below its threshold, the strategy abstains so the next one decides.
/// </summary>
/// <remarks>
/// <para>
/// Beyond MEAI's client: a local embedder by default (no download, no network), abstention into the rest of the
/// chain instead of a fixed default, per-route thresholds, threshold fitting from labelled examples, routes added at
/// run time, and every route embedded in one batch, once.
/// </para>
/// <para>
/// Where the CPU has AVX-VNNI or AVX2, the matrix is also kept in 8-bit integers: one integer pass bounds every utterance's
/// similarity and only those that can be among the top k are scored in floats, so the vote is exactly the full pass's.
/// </para>
/// <para>Thread-safe. Routes are embedded on first use (or by <see cref="WarmUpAsync"/>); adding a route swaps in a new index atomically.</para>
/// </remarks>
public sealed partial class EmbeddingRoutingStrategy : IRoutingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "embedding";

    /// <summary>The path validation failures of <see cref="EmbeddingRoutingOptions"/> configured in code are named under.</summary>
    internal const string OptionsPath = "Embedding";

    private readonly EmbeddingRoutingOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly SensitivityPolicy? _sensitivity;
    private readonly Lock _append = new();
    private Lazy<Task<RouteIndex>> _initial;
    private volatile RouteIndex? _index;

    /// <summary>Initializes a new instance of the <see cref="EmbeddingRoutingStrategy"/> class.</summary>
    /// <param name="options">The routes and settings.</param>
    /// <param name="generator">The embedding generator; the default is <see cref="EmbeddingRoutingOptions.Generator"/>, else <see cref="LocalEmbeddingGenerator.Default"/>.</param>
    /// <param name="sensitivity">The sensitivity predicate; the default is <see cref="SensitivityPolicy.Default"/>. Sensitive requests are embedded only by an allowed generator (<see cref="EmbeddingRoutingOptions.GeneratorAllowsSensitiveData"/>); otherwise the strategy abstains.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A route or setting is invalid (each failure names its field).</exception>
    public EmbeddingRoutingStrategy(EmbeddingRoutingOptions options, IEmbeddingGenerator<string, Embedding<float>>? generator = null, SensitivityPolicy? sensitivity = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsValidation.ThrowIfInvalid(options, OptionsPath);
        _options = options;
        _generator = generator ?? options.Generator ?? LocalEmbeddingGenerator.Default;
        _sensitivity = SensitivityPolicy.IsAllowed(_generator, options.GeneratorAllowsSensitiveData) ? null : sensitivity ?? SensitivityPolicy.Default;
        _initial = new(() => EmbedAsync([.. _options.Routes], CancellationToken.None));
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>Gets the routes (a snapshot).</summary>
    public IReadOnlyList<EmbeddingRoute> Routes => _index?.Routes ?? [.. _options.Routes];

    /// <summary>Embeds every route's utterances now (in one batch) rather than on the first request.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the routes are embedded.</returns>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default) => await GetIndexAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Adds a route at run time; requests routed after this call see it.</summary>
    /// <param name="route">The route.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the route is embedded and live.</returns>
    public async Task AddRouteAsync(EmbeddingRoute route, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        (string Field, string Message)[] failures = [.. EmbeddingRoutingOptions.Failures(route)];
        if (failures.Length > 0)
        {
            throw new ArgumentException(string.Join(" ", failures.Select(f => $"{nameof(route)}.{f.Field} {f.Message}")), nameof(route));
        }

        _ = await GetIndexAsync(cancellationToken).ConfigureAwait(false);
        RouteIndex added = await EmbedAsync([route], cancellationToken).ConfigureAwait(false);
        lock (_append)
        {
            // Appended to whatever is current now, so concurrent additions never lose each other.
            _index = _index!.Append(added);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        string text = request.LastUserText;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // The generator is a destination: a sensitive request reaches it only if it is allowed (else the next strategy decides).
        if (_sensitivity?.IsSensitive(request) == true)
        {
            return null;
        }

        RouteIndex index = _index ?? await GetIndexAsync(cancellationToken).ConfigureAwait(false);
        float[] query = ArrayPool<float>.Shared.Rent(index.Dimensions);
        try
        {
            await EmbedQueryAsync(text, query, index.Dimensions, cancellationToken).ConfigureAwait(false);
            return Choose(index, query.AsSpan(0, index.Dimensions), candidates);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(query);
        }
    }

    private RouteDecision? Choose(RouteIndex index, ReadOnlySpan<float> vector, RouteCandidates candidates)
    {
        // Only routes whose target can serve this request take part, so the top-k vote is among real options.
        // Route targets are resolved to the registry once per index and registry; a request compares references only.
        int routeCount = index.Routes.Length;
        LoadSlots slots = LoadSlots.For(ref index.Slots, candidates.Registry, tracker: null, index.TargetNames);
        bool all = ReferenceEquals(candidates.Targets, candidates.Registry.Targets);
        Span<bool> eligible = routeCount <= 256 ? stackalloc bool[routeCount] : new bool[routeCount];
        bool any = false;
        for (int r = 0; r < routeCount; r++)
        {
            int target = slots.Configured![r];
            eligible[r] = target >= 0 && (all || LoadSlots.IsCandidate(candidates.Targets, slots.Targets[target]));
            any |= eligible[r];
        }

        if (!any)
        {
            return null;
        }

        Span<double> routeScores = routeCount <= 256 ? stackalloc double[routeCount] : new double[routeCount];
        Score(index, vector, routeScores, eligible);
        int best = -1;
        for (int r = 0; r < routeCount; r++)
        {
            if (!double.IsNegativeInfinity(routeScores[r]) && (best < 0 || routeScores[r] > routeScores[best]))
            {
                best = r;
            }
        }

        if (best < 0)
        {
            return null;
        }

        EmbeddingRoute route = index.Routes[best];
        double threshold = route.Threshold ?? _options.Threshold;
        return routeScores[best] < threshold
            ? null
            : RouteDecision.To(slots.Targets[slots.Configured![best]], StrategyName, string.Create(CultureInfo.InvariantCulture, $"nearest route '{route.Name}' (similarity {routeScores[best]:0.00} >= {threshold:0.00})"), routeScores[best]);
    }

    /// <summary>Fits each route's threshold to labelled examples (maximising F1), so the strategy abstains where it would be wrong.</summary>
    /// <param name="examples">Texts with the route each should take, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The fitted thresholds by route name (also applied to the routes).</returns>
    public async Task<IReadOnlyDictionary<string, double>> FitThresholdsAsync(IEnumerable<(string Text, string? Route)> examples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        RouteIndex index = await GetIndexAsync(cancellationToken).ConfigureAwait(false);
        var predictions = new List<(string? Expected, string Predicted, double Score)>();
        float[] query = new float[index.Dimensions];
        double[] scores = new double[index.Routes.Length];
        foreach ((string text, string? expected) in examples)
        {
            await EmbedQueryAsync(text, query, index.Dimensions, cancellationToken).ConfigureAwait(false);
            Score(index, query, scores);
            int best = 0;
            for (int r = 1; r < scores.Length; r++)
            {
                best = scores[r] > scores[best] ? r : best;
            }

            predictions.Add((expected, index.Routes[best].Name, scores[best]));
        }

        if (predictions.Count == 0)
        {
            throw new ArgumentException("Threshold fitting needs at least one labelled example.", nameof(examples));
        }

        var fitted = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (EmbeddingRoute route in index.Routes)
        {
            double bestF1 = -1;
            double bestThreshold = route.Threshold ?? _options.Threshold;
            // Candidate thresholds: each score predicted for the route, and "above all of them" (the route never fires).
            IEnumerable<double> scoresForRoute = predictions.Where(p => p.Predicted == route.Name).Select(p => p.Score);
            double rejectAll = Math.BitIncrement(scoresForRoute.DefaultIfEmpty(route.Threshold ?? _options.Threshold).Max());
            foreach (double candidate in scoresForRoute.Append(rejectAll).Distinct())
            {
                int tp = predictions.Count(p => p.Predicted == route.Name && p.Score >= candidate && p.Expected == route.Name);
                int fp = predictions.Count(p => p.Predicted == route.Name && p.Score >= candidate && p.Expected != route.Name);
                int fn = predictions.Count(p => p.Expected == route.Name) - tp;
                double f1 = tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn);
                if (f1 > bestF1 || (f1 == bestF1 && candidate > bestThreshold) || bestF1 < 0)
                {
                    bestF1 = f1;
                    bestThreshold = candidate;
                }
            }

            route.Threshold = bestThreshold;
            fitted[route.Name] = bestThreshold;
        }

        return fitted;
    }

    private void Score(RouteIndex index, ReadOnlySpan<float> query, Span<double> routeScores, ReadOnlySpan<bool> eligible = default)
    {
        int k = Math.Min(_options.TopK, index.RowRoute.Length);
        Span<float> topScores = k <= 64 ? stackalloc float[k] : new float[k];
        Span<int> topRows = k <= 64 ? stackalloc int[k] : new int[k];
        _ = RouteTopK.Find(index.Matrix, index.Quantized, index.RowRoute, query, eligible, topScores, topRows);
        routeScores.Fill(double.NegativeInfinity);
        Span<int> counts = routeScores.Length <= 256 ? stackalloc int[routeScores.Length] : new int[routeScores.Length];
        counts.Clear();
        for (int i = 0; i < k; i++)
        {
            if (float.IsNegativeInfinity(topScores[i]))
            {
                continue;
            }

            int route = index.RowRoute[topRows[i]];
            routeScores[route] = counts[route] == 0 ? topScores[i] : routeScores[route] + topScores[i];
            counts[route]++;
        }

        if (_options.Aggregation == EmbeddingScoreAggregation.Mean)
        {
            for (int r = 0; r < routeScores.Length; r++)
            {
                routeScores[r] = counts[r] == 0 ? double.NegativeInfinity : routeScores[r] / counts[r];
            }
        }
    }

    private async ValueTask EmbedQueryAsync(string text, float[] destination, int dimensions, CancellationToken cancellationToken)
    {
        int limit = _options.MaxEmbeddedCharacters ?? int.MaxValue;
        if (_generator is LocalEmbeddingGenerator local && local.Dimensions == dimensions)
        {
            // The built-in embedder is synchronous and allocation-free (a long turn's window goes through a pooled buffer).
            EmbeddedWindow.Embed(local, text, limit, destination.AsSpan(0, dimensions));
            return;
        }

        bool cut = EmbeddedWindow.TryCut(text, limit, out int headEnd, out int tailStart);
        string input = cut
            ? string.Create(headEnd + 1 + text.Length - tailStart, (text, headEnd, tailStart), static (window, at) => EmbeddedWindow.Write(at.text, at.headEnd, at.tailStart, window))
            : text;
        GeneratedEmbeddings<Embedding<float>> result = await _generator.GenerateAsync([input], cancellationToken: cancellationToken).ConfigureAwait(false);
        ReadOnlySpan<float> vector = result[0].Vector.Span;
        if (vector.Length != dimensions)
        {
            throw new InvalidOperationException($"The embedding generator returned {vector.Length} dimensions for the request but {dimensions} for the routes.");
        }

        vector.CopyTo(destination);
        Normalize(destination.AsSpan(0, dimensions));
    }

    private async ValueTask<RouteIndex> GetIndexAsync(CancellationToken cancellationToken)
    {
        if (_index is { } ready)
        {
            return ready;
        }

        Lazy<Task<RouteIndex>> initial = _initial;
        RouteIndex built;
        try
        {
            built = await initial.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (initial.Value.IsFaulted)
        {
            // A failed embedding call (e.g. a remote generator's outage) is not cached: the next request retries.
            Interlocked.CompareExchange(ref _initial, new(() => EmbedAsync([.. _options.Routes], CancellationToken.None)), initial);
            throw;
        }

        lock (_append)
        {
            return _index ??= built;
        }
    }

    /// <summary>Embeds every utterance of <paramref name="routes"/> in one batch into a contiguous, normalised matrix.</summary>
    private async Task<RouteIndex> EmbedAsync(EmbeddingRoute[] routes, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        var rowRoute = new List<int>();
        for (int r = 0; r < routes.Length; r++)
        {
            foreach (string utterance in routes[r].Utterances)
            {
                texts.Add(utterance);
                rowRoute.Add(r);
            }
        }

        if (texts.Count == 0)
        {
            return new RouteIndex(routes, [], [], _generator is LocalEmbeddingGenerator l ? l.Dimensions : 1);
        }

        GeneratedEmbeddings<Embedding<float>> embeddings = await _generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        int dim = embeddings[0].Vector.Length;
        float[] matrix = new float[texts.Count * dim];
        for (int i = 0; i < texts.Count; i++)
        {
            ReadOnlySpan<float> vector = embeddings[i].Vector.Span;
            if (vector.Length != dim)
            {
                throw new InvalidOperationException("The embedding generator returned vectors of different lengths.");
            }

            Span<float> row = matrix.AsSpan(i * dim, dim);
            vector.CopyTo(row);
            Normalize(row);
        }

        return new RouteIndex(routes, matrix, [.. rowRoute], dim);
    }

    private static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
