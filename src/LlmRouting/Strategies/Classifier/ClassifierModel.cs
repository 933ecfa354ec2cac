using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmRouting.Strategies;

/// <summary>
/// A trained logistic-regression model scoring how likely a prompt needs the premium target, loaded from a
/// versioned JSON model file.
/// </summary>
/// <remarks>
/// <para>
/// The model file (format <c>llmrouting-classifier</c>, version <see cref="FormatVersion"/>) holds: the hashed
/// feature space (<c>features.hashed</c>: name, bits, character n-gram range), the numeric features
/// (<c>features.numeric</c>: set, name, mean, scale, weight each, in order), the <c>bias</c>, the hashed
/// <c>weights</c> (base64 of 2^bits little-endian IEEE float32 values) and free-form <c>training</c> notes.
/// Files of another format or version, or whose features this build does not compute, are rejected on load.
/// </para>
/// <para>Instances are immutable and thread-safe; <see cref="Score(ReadOnlySpan{char})"/> does not allocate.</para>
/// </remarks>
public sealed partial class ClassifierModel
{
    /// <summary>The model file's format identifier.</summary>
    public const string FormatName = "llmrouting-classifier";

    /// <summary>The model file version this build reads and writes.</summary>
    public const int FormatVersion = 1;

    private const string DefaultResourceName = "LlmRouting.DefaultClassifierModel.json";
    private const int Chunk = 256;
    private const string InvalidPrefix = "Invalid classifier model: ";

    private static readonly Lazy<ClassifierModel> DefaultModel = new(LoadDefault, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly float[] _weights;
    private readonly float[] _numericMean;
    private readonly float[] _numericScale;
    private readonly float[] _numericWeights;

    internal ClassifierModel(
        ClassifierFeaturizer featurizer,
        float[] weights,
        float bias,
        float[] numericMean,
        float[] numericScale,
        float[] numericWeights,
        string? description,
        IReadOnlyDictionary<string, string>? training)
    {
        Featurizer = featurizer;
        _weights = weights;
        Bias = bias;
        _numericMean = numericMean;
        _numericScale = numericScale;
        _numericWeights = numericWeights;
        Description = description;
        Training = training ?? new Dictionary<string, string>();
    }

    /// <summary>Gets the model shipped inside the library (trained on RouteLLM's MMLU data; see docs/evaluation.md), loaded on first use.</summary>
    /// <exception cref="InvalidDataException">The embedded model is missing or invalid (a packaging defect).</exception>
    public static ClassifierModel Default => DefaultModel.Value;

    /// <summary>Gets the model's description, if the file has one.</summary>
    public string? Description { get; }

    /// <summary>Gets the training notes recorded in the file (data, example counts, regularisation, validation figures).</summary>
    public IReadOnlyDictionary<string, string> Training { get; }

    /// <summary>Gets the feature set identifier, e.g. <c>hashed-ngrams-v1(bits=15,char=3-4)+text-stats-v1</c>.</summary>
    public string FeatureSet => FormattableString.Invariant(
        $"{ClassifierFeaturizer.HashedFeatureSetName}(bits={Featurizer.HashBits},char={Featurizer.CharNGramMin}-{Featurizer.CharNGramMax})+{Featurizer.Numeric.Name}");

    /// <summary>Gets the intercept.</summary>
    internal float Bias { get; }

    internal ClassifierFeaturizer Featurizer { get; }

    internal ReadOnlySpan<float> Weights => _weights;

    internal ReadOnlySpan<float> NumericWeights => _numericWeights;

    /// <summary>Returns a copy of this model with more training notes (same weights), e.g. figures measured after training.</summary>
    /// <param name="notes">The notes to add or replace.</param>
    /// <returns>The new model.</returns>
    public ClassifierModel WithTrainingNotes(IEnumerable<KeyValuePair<string, string>> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        var merged = new Dictionary<string, string>(Training, StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> note in notes)
        {
            merged[note.Key] = note.Value;
        }

        return new ClassifierModel(Featurizer, _weights, Bias, _numericMean, _numericScale, _numericWeights, Description, merged);
    }

    /// <summary>Loads a model file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid model of this version; the message names the problem.</exception>
    public static ClassifierModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Classifier model file '{path}' does not exist.", path);
        }

        using FileStream stream = File.OpenRead(path);
        try
        {
            return Load(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Invalid classifier model file '{path}': {e.Message[InvalidPrefix.Length..]}", e);
        }
    }

    /// <summary>Loads a model from a stream holding the JSON model file.</summary>
    /// <param name="stream">The stream (read to its end, not disposed).</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The content is not a valid model of this version; the message names the problem.</exception>
    public static ClassifierModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{InvalidPrefix}not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            return ClassifierModelReader.Read(document.RootElement);
        }
    }

    /// <summary>Writes the model as a JSON model file.</summary>
    /// <param name="stream">The destination (not disposed).</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // Relaxed escaping keeps names such as "a+b" readable; the file is data, never embedded in HTML.
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", FormatVersion);
        if (Description is not null)
        {
            writer.WriteString("description", Description);
        }

        writer.WriteStartObject("features");
        writer.WriteStartObject("hashed");
        writer.WriteString("name", ClassifierFeaturizer.HashedFeatureSetName);
        writer.WriteNumber("bits", Featurizer.HashBits);
        writer.WriteNumber("charNGramMin", Featurizer.CharNGramMin);
        writer.WriteNumber("charNGramMax", Featurizer.CharNGramMax);
        writer.WriteEndObject();
        writer.WriteStartArray("numeric");
        NumericFeatureSet numeric = Featurizer.Numeric;
        for (int i = 0; i < numeric.Count; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("set", numeric.Name);
            writer.WriteString("name", numeric.FeatureNames[i]);
            writer.WriteNumber("mean", _numericMean[i]);
            writer.WriteNumber("scale", _numericScale[i]);
            writer.WriteNumber("weight", _numericWeights[i]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteNumber("bias", Bias);
        writer.WriteStartObject("training");
        foreach (KeyValuePair<string, string> note in Training.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            writer.WriteString(note.Key, note.Value);
        }

        writer.WriteEndObject();
        byte[] bytes = new byte[_weights.Length * sizeof(float)];
        for (int i = 0; i < _weights.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), _weights[i]);
        }

        writer.WriteBase64String("weights", bytes);
        writer.WriteEndObject();
    }

    /// <summary>Writes the model to a file (overwritten).</summary>
    /// <param name="path">The file path.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using FileStream stream = File.Create(path);
        Save(stream);
    }

    /// <summary>Scores a prompt: the estimated probability that it needs the premium target.</summary>
    /// <param name="text">The prompt text.</param>
    /// <returns>A probability in [0, 1].</returns>
    public double Score(ReadOnlySpan<char> text)
    {
        double logit = Logit(text);
        return 1 / (1 + Math.Exp(-logit));
    }

    /// <summary>Computes the raw logit (log-odds) for a prompt.</summary>
    /// <param name="text">The prompt text.</param>
    /// <returns>The logit.</returns>
    internal double Logit(ReadOnlySpan<char> text)
    {
        Span<float> values = stackalloc float[Chunk];
        Span<float> gathered = stackalloc float[Chunk];
        var sink = new DotSink(_weights, values, gathered);
        int count = Featurizer.Hash(text, ref sink);
        double hashed = sink.Finish();

        int k = Featurizer.Numeric.Count;
        Span<float> numeric = stackalloc float[k];
        Featurizer.Numeric.Write(text, numeric);
        TensorPrimitives.Subtract(numeric, _numericMean, numeric);
        TensorPrimitives.Divide(numeric, _numericScale, numeric);
        double dense = TensorPrimitives.Dot(numeric, _numericWeights);

        return Bias + (count == 0 ? 0 : hashed / Math.Sqrt(count)) + dense;
    }

    private static ClassifierModel LoadDefault()
    {
        using Stream stream = typeof(ClassifierModel).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidDataException($"The default classifier model resource '{DefaultResourceName}' is missing from the LlmRouting assembly.");
        try
        {
            return Load(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The default classifier model is invalid: {e.Message}", e);
        }
    }

    /// <summary>Gathers the weights of hashed features chunk by chunk and reduces each chunk with a SIMD dot product.</summary>
    private ref struct DotSink : ClassifierFeaturizer.IFeatureSink
    {
        private readonly ReadOnlySpan<float> _weights;
        private readonly Span<float> _values;
        private readonly Span<float> _gathered;
        private int _count;
        private double _sum;

        public DotSink(ReadOnlySpan<float> weights, Span<float> values, Span<float> gathered)
        {
            _weights = weights;
            _values = values;
            _gathered = gathered;
        }

        public void Add(int index, float value)
        {
            _values[_count] = value;
            _gathered[_count] = _weights[index];
            if (++_count == _values.Length)
            {
                Flush();
            }
        }

        public double Finish()
        {
            Flush();
            return _sum;
        }

        private void Flush()
        {
            if (_count > 0)
            {
                _sum += TensorPrimitives.Dot(_values[.._count], _gathered[.._count]);
                _count = 0;
            }
        }
    }

}
