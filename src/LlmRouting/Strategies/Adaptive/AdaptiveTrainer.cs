using System.Globalization;
using System.Numerics.Tensors;

namespace LlmRouting.Strategies;

/// <summary>Fits an <see cref="AdaptiveModel"/> from labelled examples: a calibration of the default score, k-means regions, and each region's shrunk shift.</summary>
/// <remarks>
/// <para>
/// 1. Calibration: a two-parameter logistic fit of the labels on logit(default score), ridge-penalised toward the
/// identity (A = 1, B = 0) so that a handful of labels barely moves it. 2. Regions: spherical k-means (k-means++
/// seeding, <see cref="AdaptiveTrainingOptions.Seed"/>) of the embeddings, at most one region per
/// <see cref="AdaptiveTrainingOptions.MinLabelsPerRegion"/> labels. 3. Evidence: per region the residuals of the labels
/// against the calibrated prior; the between-region variance τ² of true shifts is estimated by DerSimonian–Laird, and
/// each region's shift is shrunk by τ² / (τ² + its sampling variance) (<see cref="AdaptiveRegion.Shift"/>).
/// </para>
/// <para>Deterministic for a given seed and input order. Thread-safe (no shared state).</para>
/// </remarks>
public static class AdaptiveTrainer
{
    private const double CalibrationRidge = 1;

    /// <summary>Fits a model.</summary>
    /// <param name="examples">The labelled examples (any number; none gives a model whose score is the default score).</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels training.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or an example's embedding has the wrong size or its label is outside [0, 1].</exception>
    public static AdaptiveModel Train(IReadOnlyList<AdaptiveExample> examples, AdaptiveTrainingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new AdaptiveTrainingOptions();
        options.Validate();
        int d = options.Dimensions;
        for (int i = 0; i < examples.Count; i++)
        {
            AdaptiveExample e = examples[i];
            if (e.Embedding.Length != d)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Example {i}: the embedding has {e.Embedding.Length} dimensions, the model {d}."), nameof(examples));
            }

            if (e.PremiumNeed is < 0 or > 1 || double.IsNaN(e.PremiumNeed) || e.Weight is <= 0 || !double.IsFinite(e.Weight))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Example {i}: the label must be in [0, 1] and the weight positive (were {e.PremiumNeed}, {e.Weight})."), nameof(examples));
            }
        }

        float[] weights = options.InverseDocumentFrequency && examples.Count > 0 ? InverseDocumentFrequency(examples, d) : [];
        float[] centroids;
        string[]? groups = null;
        int k;
        // One group says nothing about where the labels differ: group regions need every example in a group, and two groups.
        if (options.GroupRegions && examples.Count > 0 && examples.All(e => e.Group is not null) && examples.Select(e => e.Group).Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            centroids = GroupCentroids(examples, weights, d, out groups);
            k = groups.Length;
            if (options.DiscriminativeEpochs > 0)
            {
                Discriminative.Refine(examples, weights, centroids, k, d, options, cancellationToken);
            }
        }
        else
        {
            k = Math.Clamp(examples.Count / options.MinLabelsPerRegion, examples.Count == 0 ? 0 : 1, options.Regions);
            centroids = k == 0 ? [] : KMeans.Fit(examples, weights, k, d, options.Iterations, options.Seed, cancellationToken);
        }

        // Backfitting: the calibration is refitted with each example's region shift as an offset, then the shifts
        // against the new calibration; the slope then measures the prior's worth within regions, not across them.
        bool refined = groups is not null && options.DiscriminativeEpochs > 0;
        var probe = new AdaptiveModel(Parameters(options, refined, 1, 0, 0, null), weights, centroids, new AdaptiveRegion[k]);
        int[] assigned = new int[examples.Count];
        Parallel.For(0, examples.Count, i => assigned[i] = probe.NearestRegion(examples[i].Embedding.Span));
        double[] offsets = new double[examples.Count];
        double slope = 1, intercept = 0, tau2 = 0;
        var regions = new AdaptiveRegion[k];
        for (int round = 0; round < (k == 0 ? 1 : 4); round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (slope, intercept) = Calibrate(examples, offsets);
            regions = Evidence(examples, assigned, k, slope, intercept);
            tau2 = BetweenRegionVariance(regions);
            for (int i = 0; i < examples.Count; i++)
            {
                offsets[i] = regions[assigned[i]].Shift(tau2);
            }
        }

        // The blend is chosen on inner folds of these examples (2 × BlendFolds more fits); 1 when off.
        double shiftScale = options.BlendFolds > 0 ? AdaptiveBlend.Choose(examples, options, cancellationToken) : 1;
        string version = options.Version ?? DeriveVersion(slope, intercept, tau2, regions, shiftScale, groups);
        return new AdaptiveModel(Parameters(options, refined, slope, intercept, tau2, version) with { ShiftScale = shiftScale }, weights, centroids, regions, groups);
    }

    private static AdaptiveRegion[] Evidence(IReadOnlyList<AdaptiveExample> examples, int[] assigned, int k, double slope, double intercept)
    {
        var regions = new AdaptiveRegion[k];
        for (int i = 0; i < examples.Count; i++)
        {
            AdaptiveExample e = examples[i];
            double p = AdaptiveModel.Sigmoid((slope * AdaptiveModel.Logit(e.DefaultScore)) + intercept);
            double r = e.PremiumNeed - p;
            AdaptiveRegion region = regions[assigned[i]];
            regions[assigned[i]] = new AdaptiveRegion(region.Labels + e.Weight, region.Residual + (e.Weight * r), region.Curvature + (e.Weight * p * (1 - p)), region.Squares + (e.Weight * r * r));
        }

        return regions;
    }

    /// <summary>Per hashed bucket: ln((1 + n) / (1 + examples where it is non-zero)) + 1, so that rare, topical features weigh more.</summary>
    private static float[] InverseDocumentFrequency(IReadOnlyList<AdaptiveExample> examples, int d)
    {
        int[] df = new int[d];
        foreach (AdaptiveExample e in examples)
        {
            ReadOnlySpan<float> x = e.Embedding.Span;
            for (int j = 0; j < d; j++)
            {
                if (x[j] != 0)
                {
                    df[j]++;
                }
            }
        }

        return [.. df.Select(f => (float)(Math.Log((1.0 + examples.Count) / (1.0 + f)) + 1))];
    }

    private static float[] GroupCentroids(IReadOnlyList<AdaptiveExample> examples, float[] weights, int d, out string[] groups)
    {
        groups = [.. examples.Select(e => e.Group!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var index = groups.Select((g, i) => (g, i)).ToDictionary(x => x.g, x => x.i, StringComparer.Ordinal);
        int k = groups.Length;
        float[] centroids = new float[k * d];
        float[] projected = new float[d];
        foreach (AdaptiveExample e in examples)
        {
            Span<float> c = centroids.AsSpan(index[e.Group!] * d, d);
            AdaptiveModel.Project(e.Embedding.Span, weights, projected);
            TensorPrimitives.Add(c, projected, c);
        }

        for (int c = 0; c < k; c++)
        {
            Span<float> centroid = centroids.AsSpan(c * d, d);
            float norm = TensorPrimitives.Norm(centroid);
            if (norm > 0)
            {
                TensorPrimitives.Divide(centroid, norm, centroid);
            }
        }

        return centroids;
    }

    /// <summary>DerSimonian–Laird: the variance of true shifts beyond what sampling noise explains, 0 when there is none.</summary>
    internal static double BetweenRegionVariance(IReadOnlyList<AdaptiveRegion> regions)
    {
        double sw = 0, sw2 = 0, swd = 0;
        int n = 0;
        foreach (AdaptiveRegion r in regions)
        {
            if (r.Curvature <= 0 || r.Labels < 2)
            {
                continue;
            }

            double w = 1 / r.Variance;
            sw += w;
            sw2 += w * w;
            swd += w * r.RawShift;
            n++;
        }

        if (n < 2)
        {
            return 0;
        }

        double mean = swd / sw, q = 0;
        foreach (AdaptiveRegion r in regions)
        {
            if (r.Curvature > 0 && r.Labels >= 2)
            {
                q += (r.RawShift - mean) * (r.RawShift - mean) / r.Variance;
            }
        }

        return Math.Max(0, (q - (n - 1)) / (sw - (sw2 / sw)));
    }

    /// <summary>Damped Newton steps for label ~ σ(A · logit(s) + B), ridge toward (1, 0) with strength 1.</summary>
    private static (double Slope, double Intercept) Calibrate(IReadOnlyList<AdaptiveExample> examples, double[] offsets)
    {
        double a = 1, b = 0, loss = CalibrationLoss(examples, offsets, a, b);
        for (int iteration = 0; iteration < 50 && examples.Count > 0; iteration++)
        {
            double ga = CalibrationRidge * (a - 1), gb = CalibrationRidge * b, haa = CalibrationRidge, hab = 0, hbb = CalibrationRidge;
            for (int i = 0; i < examples.Count; i++)
            {
                AdaptiveExample e = examples[i];
                double x = AdaptiveModel.Logit(e.DefaultScore);
                double p = AdaptiveModel.Sigmoid((a * x) + b + offsets[i]);
                double g = e.Weight * (p - e.PremiumNeed), h = e.Weight * Math.Max(p * (1 - p), 1e-9);
                ga += g * x;
                gb += g;
                haa += h * x * x;
                hab += h * x;
                hbb += h;
            }

            double det = (haa * hbb) - (hab * hab);
            double da = ((hbb * ga) - (hab * gb)) / det, db = ((haa * gb) - (hab * ga)) / det;
            // Backtracking: halve the step until the loss falls (a full Newton step overshoots when the labels barely follow the score).
            double step = 1, next = double.PositiveInfinity;
            for (int halving = 0; halving < 30; halving++, step /= 2)
            {
                next = CalibrationLoss(examples, offsets, a - (step * da), b - (step * db));
                if (next <= loss)
                {
                    break;
                }
            }

            if (!(next <= loss))
            {
                break;
            }

            a -= step * da;
            b -= step * db;
            bool converged = loss - next < 1e-10 * Math.Max(1, loss);
            loss = next;
            if (converged)
            {
                break;
            }
        }

        // A non-positive slope would invert the prior's order; the prior's order is kept with the least slope then.
        return (Math.Max(a, 1e-3), b);
    }

    private static double CalibrationLoss(IReadOnlyList<AdaptiveExample> examples, double[] offsets, double a, double b)
    {
        double loss = 0.5 * CalibrationRidge * (((a - 1) * (a - 1)) + (b * b));
        for (int i = 0; i < examples.Count; i++)
        {
            AdaptiveExample e = examples[i];
            double z = (a * AdaptiveModel.Logit(e.DefaultScore)) + b + offsets[i];
            // −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y z, computed stably.
            loss += e.Weight * ((Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)))) - (e.PremiumNeed * z));
        }

        return loss;
    }

    private static AdaptiveModelParameters Parameters(AdaptiveTrainingOptions o, bool refined, double slope, double intercept, double tau2, string? version)
    {
        var notes = new Dictionary<string, string>(o.Notes, StringComparer.Ordinal);
        // Refined centroids score in logits already: the softmax temperature is 1 then; k-means centroids (also when
        // GroupRegions fell back to them) score in cosines and take the configured temperature.
        double temperature = refined ? 1 : o.Temperature;
        return new(version ?? "draft", o.Dimensions, slope, intercept, tau2, o.Neighbours, temperature, o.GateLow, o.GateHigh, o.Description, notes);
    }

    private static string DeriveVersion(double slope, double intercept, double tau2, AdaptiveRegion[] regions, double shiftScale, string[]? groups)
    {
        // FNV-1a over the fitted numbers: the same model always gets the same version, on every machine (the share of
        // the shift counts only when it is not 1, so models without a blend keep the versions they always had; the
        // groups' names count when there are groups, since they decide which tasks keep the prior).
        ulong stable = 14695981039346656037UL;
        IEnumerable<double> values = regions.SelectMany(r => new[] { r.Labels, r.Residual, r.Curvature, r.Squares }).Append(slope).Append(intercept).Append(tau2);
        foreach (double value in shiftScale == 1 ? values : values.Append(shiftScale))
        {
            stable = (stable ^ (ulong)BitConverter.DoubleToInt64Bits(value)) * 1099511628211UL;
        }

        foreach (char c in groups is null ? string.Empty : string.Join('\n', groups))
        {
            stable = (stable ^ c) * 1099511628211UL;
        }

        return string.Create(CultureInfo.InvariantCulture, $"adaptive-{stable:x16}");
    }

    /// <summary>Spherical k-means with k-means++ seeding.</summary>
    private static class KMeans
    {
        public static float[] Fit(IReadOnlyList<AdaptiveExample> examples, float[] weights, int k, int d, int iterations, int seed, CancellationToken cancellationToken)
        {
            var random = new Random(seed);
            float[] centroids = new float[k * d];
            Seed(examples, weights, centroids, k, d, random);
            int[] assigned = new int[examples.Count];
            float[] projected = new float[d];
            for (int iteration = 0; iteration < iterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Parallel.For(0, examples.Count, i =>
                {
                    Span<float> x = stackalloc float[d];
                    AdaptiveModel.Project(examples[i].Embedding.Span, weights, x);
                    assigned[i] = AdaptiveModel.NearestProjected(x, centroids, k, d, out _);
                });
                float[] sums = new float[k * d];
                int[] counts = new int[k];
                for (int i = 0; i < examples.Count; i++)
                {
                    AdaptiveModel.Project(examples[i].Embedding.Span, weights, projected);
                    TensorPrimitives.Add(sums.AsSpan(assigned[i] * d, d), projected, sums.AsSpan(assigned[i] * d, d));
                    counts[assigned[i]]++;
                }

                for (int c = 0; c < k; c++)
                {
                    Span<float> sum = sums.AsSpan(c * d, d);
                    float norm = TensorPrimitives.Norm(sum);
                    if (counts[c] > 0 && norm > 0)
                    {
                        TensorPrimitives.Divide(sum, norm, centroids.AsSpan(c * d, d));
                    }
                }
            }

            return centroids;
        }

        private static void Seed(IReadOnlyList<AdaptiveExample> examples, float[] weights, float[] centroids, int k, int d, Random random)
        {
            double[] distance = new double[examples.Count];
            Array.Fill(distance, double.PositiveInfinity);
            AdaptiveModel.Project(examples[random.Next(examples.Count)].Embedding.Span, weights, centroids.AsSpan(0, d));
            for (int c = 1; c < k; c++)
            {
                ReadOnlyMemory<float> last = centroids.AsMemory((c - 1) * d, d);
                Parallel.For(0, examples.Count, i =>
                {
                    Span<float> x = stackalloc float[d];
                    AdaptiveModel.Project(examples[i].Embedding.Span, weights, x);
                    distance[i] = Math.Min(distance[i], Math.Max(0, 1 - TensorPrimitives.Dot(x, last.Span)));
                });
                double total = distance.Sum();
                double target = random.NextDouble() * total;
                int pick = 0;
                for (double acc = 0; pick < examples.Count - 1; pick++)
                {
                    acc += distance[pick];
                    if (acc >= target)
                    {
                        break;
                    }
                }

                AdaptiveModel.Project(examples[pick].Embedding.Span, weights, centroids.AsSpan(c * d, d));
            }
        }
    }
}
