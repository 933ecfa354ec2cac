using System.Globalization;

namespace LlmRouting.Strategies;

/// <summary>Trains a <see cref="ClassifierModel"/>: L2-regularised logistic regression over the classifier's features, fitted by SGD.</summary>
/// <remarks>
/// <para>
/// The regularisation strength is chosen among <see cref="ClassifierTrainingOptions.L2Candidates"/> by the
/// area under the ROC curve on an internal validation split (whole groups held out when the examples carry
/// groups, so the choice favours generalisation to unseen groups); the final model is then refitted on all examples.
/// </para>
/// <para>Deterministic: the same examples, options and seed give the same model, bit for bit.</para>
/// </remarks>
public static class ClassifierTrainer
{
    /// <summary>Trains a model.</summary>
    /// <param name="examples">The labelled prompts; both labels must occur.</param>
    /// <param name="options">The settings, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives a short line per training phase, if given.</param>
    /// <returns>The model; <see cref="ClassifierModel.Training"/> records the chosen regularisation and validation AUC.</returns>
    /// <exception cref="ArgumentException">There are no examples, only one label occurs, or an option is out of range.</exception>
    public static ClassifierModel Train(IEnumerable<ClassifierTrainingExample> examples, ClassifierTrainingOptions? options = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new ClassifierTrainingOptions();
        ClassifierTrainingExample[] all = [.. examples];
        Validate(all, options);

        var featurizer = new ClassifierFeaturizer(options.HashBits, options.CharNGramMin, options.CharNGramMax, options.IncludeRequestAnalysis ? NumericFeatureSet.TextAndAnalysis : NumericFeatureSet.TextStatistics);
        SparseExample[] data = Featurize(all, featurizer);
        (float[] mean, float[] scale) = Standardisation(data, featurizer.Numeric.Count);
        foreach (SparseExample e in data)
        {
            for (int j = 0; j < e.Numeric.Length; j++)
            {
                e.Numeric[j] = (e.Numeric[j] - mean[j]) / scale[j];
            }
        }

        (int[] trainIdx, int[] validIdx) = Split(all, options);
        double bestL2 = options.L2Candidates[0];
        double bestAuc = double.NegativeInfinity;
        var notes = new Dictionary<string, string>(options.Notes, StringComparer.Ordinal);
        if (validIdx.Length > 0 && HasBothLabels(data, validIdx) && HasBothLabels(data, trainIdx))
        {
            foreach (double l2 in options.L2Candidates)
            {
                Fit fit = Sgd(data, trainIdx, featurizer, l2, options);
                double auc = Auc(data, validIdx, fit, featurizer.Numeric.Count);
                progress?.Report(string.Create(CultureInfo.InvariantCulture, $"l2={l2:g3}: validation AUC {auc:0.0000}"));
                notes[string.Create(CultureInfo.InvariantCulture, $"validation_auc_l2_{l2:g3}")] = auc.ToString("0.0000", CultureInfo.InvariantCulture);
                if (auc > bestAuc)
                {
                    bestAuc = auc;
                    bestL2 = l2;
                }
            }

            notes["validation_auc"] = bestAuc.ToString("0.0000", CultureInfo.InvariantCulture);
            notes["validation_examples"] = validIdx.Length.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            progress?.Report("validation split too small for both labels; using the first L2 candidate");
        }

        int[] everything = Enumerable.Range(0, data.Length).ToArray();
        Fit final = Sgd(data, everything, featurizer, bestL2, options);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"fitted on {data.Length} examples with l2={bestL2:g3}"));

        notes["algorithm"] = "logistic regression, L2, SGD";
        notes["l2"] = bestL2.ToString("g3", CultureInfo.InvariantCulture);
        notes["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture);
        notes["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture);
        notes["examples"] = data.Length.ToString(CultureInfo.InvariantCulture);
        notes["positives"] = data.Count(e => e.Label).ToString(CultureInfo.InvariantCulture);

        int d = featurizer.HashDimensions;
        float[] weights = new float[d];
        float[] numericWeights = new float[featurizer.Numeric.Count];
        for (int i = 0; i < d; i++)
        {
            weights[i] = (float)(final.Weights[i] * final.Scale);
        }

        for (int j = 0; j < numericWeights.Length; j++)
        {
            numericWeights[j] = (float)final.Weights[d + j];
        }

        return new ClassifierModel(featurizer, weights, (float)final.Bias, mean, scale, numericWeights, options.Description, notes);
    }

    private static void Validate(ClassifierTrainingExample[] all, ClassifierTrainingOptions options)
    {
        if (all.Length == 0)
        {
            throw new ArgumentException("There are no training examples.", nameof(all));
        }

        int positives = all.Count(e => e.PremiumNeeded);
        if (positives == 0 || positives == all.Length)
        {
            throw new ArgumentException($"Training needs both labels; all {all.Length} examples are {(positives == 0 ? "negative (premium never needed)" : "positive (premium always needed)")}.", nameof(all));
        }

        if (options.Epochs is < 1 or > 1000)
        {
            throw new ArgumentException($"Epochs must be from 1 to 1000 (was {options.Epochs}).", nameof(options));
        }

        if (options.L2Candidates.Count == 0 || options.L2Candidates.Any(l => l < 0 || !double.IsFinite(l)))
        {
            throw new ArgumentException("L2Candidates must hold at least one finite, non-negative value.", nameof(options));
        }

        if (options.ValidationFraction is < 0 or >= 1)
        {
            throw new ArgumentException($"ValidationFraction must be in [0, 1) (was {options.ValidationFraction}).", nameof(options));
        }

        if (!(options.LearningRate > 0))
        {
            throw new ArgumentException($"LearningRate must be positive (was {options.LearningRate}).", nameof(options));
        }
    }

    private static SparseExample[] Featurize(ClassifierTrainingExample[] all, ClassifierFeaturizer featurizer)
    {
        var data = new SparseExample[all.Length];
        Parallel.For(0, all.Length, i =>
        {
            ClassifierTrainingExample example = all[i];
            var sink = new ClassifierFeaturizer.CollectingSink(1024);
            try
            {
                int count = featurizer.Hash(example.Text, ref sink);
                (int[] indices, float[] values) = Merge(sink.Indices, sink.Values, count == 0 ? 0 : 1 / MathF.Sqrt(count));
                float[] numeric = new float[featurizer.Numeric.Count];
                featurizer.Numeric.Write(example.Text, numeric);
                data[i] = new SparseExample(indices, values, numeric, example.PremiumNeeded);
            }
            finally
            {
                sink.Dispose();
            }
        });
        return data;
    }

    private static (int[] Indices, float[] Values) Merge(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float scale)
    {
        int[] idx = indices.ToArray();
        float[] val = values.ToArray();
        Array.Sort(idx, val);
        int n = 0;
        for (int i = 0; i < idx.Length; i++)
        {
            if (n > 0 && idx[n - 1] == idx[i])
            {
                val[n - 1] += val[i];
            }
            else
            {
                idx[n] = idx[i];
                val[n] = val[i];
                n++;
            }
        }

        float[] scaled = new float[n];
        for (int i = 0; i < n; i++)
        {
            scaled[i] = val[i] * scale;
        }

        return (idx[..n], scaled);
    }

    private static (float[] Mean, float[] Scale) Standardisation(SparseExample[] data, int k)
    {
        double[] sum = new double[k];
        double[] sumSq = new double[k];
        foreach (SparseExample e in data)
        {
            for (int j = 0; j < k; j++)
            {
                sum[j] += e.Numeric[j];
                sumSq[j] += (double)e.Numeric[j] * e.Numeric[j];
            }
        }

        float[] mean = new float[k];
        float[] scale = new float[k];
        for (int j = 0; j < k; j++)
        {
            double m = sum[j] / data.Length;
            double variance = Math.Max(0, (sumSq[j] / data.Length) - (m * m));
            mean[j] = (float)m;
            scale[j] = (float)Math.Max(Math.Sqrt(variance), 1e-6);
        }

        return (mean, scale);
    }

    private static (int[] Train, int[] Validation) Split(ClassifierTrainingExample[] all, ClassifierTrainingOptions options)
    {
        bool[] validation = GroupHoldout.Choose([.. all.Select(e => e.Group)], options.ValidationFraction, options.Seed);
        return (Enumerable.Range(0, all.Length).Where(i => !validation[i]).ToArray(), Enumerable.Range(0, all.Length).Where(i => validation[i]).ToArray());
    }

    private static bool HasBothLabels(SparseExample[] data, int[] indices) =>
        indices.Any(i => data[i].Label) && indices.Any(i => !data[i].Label);

    /// <summary>SGD on the logistic loss; L2 on the hashed weights goes through a global scale (Bottou's trick) so updates stay sparse.</summary>
    private static Fit Sgd(SparseExample[] data, int[] indices, ClassifierFeaturizer featurizer, double l2, ClassifierTrainingOptions options)
    {
        int d = featurizer.HashDimensions;
        int k = featurizer.Numeric.Count;
        double[] v = new double[d + k];
        double scale = 1;
        double bias = 0;
        var random = new Random(options.Seed);
        int[] order = (int[])indices.Clone();
        double eta0 = options.LearningRate;
        long t = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (int i in order)
            {
                SparseExample e = data[i];
                double eta = eta0 / (1 + (eta0 * Math.Max(l2, 1e-4) * t));
                t++;
                double z = bias;
                for (int j = 0; j < e.Indices.Length; j++)
                {
                    z += v[e.Indices[j]] * e.Values[j] * scale;
                }

                for (int j = 0; j < k; j++)
                {
                    z += v[d + j] * e.Numeric[j];
                }

                double g = Sigmoid(z) - (e.Label ? 1 : 0);
                scale *= 1 - (eta * l2);
                if (scale < 1e-9)
                {
                    for (int j = 0; j < d; j++)
                    {
                        v[j] *= scale;
                    }

                    scale = 1;
                }

                double step = eta * g / scale;
                for (int j = 0; j < e.Indices.Length; j++)
                {
                    v[e.Indices[j]] -= step * e.Values[j];
                }

                // The few dense numeric weights take the same L2 directly (no scale trick needed for them).
                for (int j = 0; j < k; j++)
                {
                    v[d + j] -= eta * ((g * e.Numeric[j]) + (l2 * v[d + j]));
                }

                bias -= eta * g;
            }
        }

        return new Fit(v, scale, bias);
    }

    private static double Auc(SparseExample[] data, int[] indices, Fit fit, int k)
    {
        int d = fit.Weights.Length - k;
        var scored = new (double Score, bool Label)[indices.Length];
        for (int n = 0; n < indices.Length; n++)
        {
            SparseExample e = data[indices[n]];
            double z = fit.Bias;
            for (int j = 0; j < e.Indices.Length; j++)
            {
                z += fit.Weights[e.Indices[j]] * e.Values[j] * fit.Scale;
            }

            for (int j = 0; j < k; j++)
            {
                z += fit.Weights[d + j] * e.Numeric[j];
            }

            scored[n] = (z, e.Label);
        }

        // Mann–Whitney: average ranks over ties.
        Array.Sort(scored, (a, b) => a.Score.CompareTo(b.Score));
        double rankSum = 0;
        long positives = 0;
        int i = 0;
        while (i < scored.Length)
        {
            int j = i;
            while (j < scored.Length && scored[j].Score == scored[i].Score)
            {
                j++;
            }

            double averageRank = ((i + 1) + j) / 2.0;
            for (int m = i; m < j; m++)
            {
                if (scored[m].Label)
                {
                    rankSum += averageRank;
                    positives++;
                }
            }

            i = j;
        }

        long negatives = scored.Length - positives;
        return (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private sealed record SparseExample(int[] Indices, float[] Values, float[] Numeric, bool Label);

    private sealed record Fit(double[] Weights, double Scale, double Bias);
}
