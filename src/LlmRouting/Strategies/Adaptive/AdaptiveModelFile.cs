using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmRouting.Strategies;

/// <summary>Reads and writes the adaptive model file (JSON, format <see cref="FormatName"/>, version <see cref="FormatVersion"/>).</summary>
/// <remarks>
/// Fields: <c>format</c>, <c>version</c>, <c>modelVersion</c>, <c>description</c>, <c>embedding</c> (<c>name</c>
/// <c>hashed-ngrams-v1</c>, <c>dimensions</c>, <c>maxCharacters</c> — the window a long text was embedded by,
/// <see cref="AdaptiveModel.MaxEmbeddedCharacters"/>; a file of another window is rejected, one written before the field
/// existed is read as this build's), <c>calibration</c> (<c>slope</c>, <c>intercept</c>), <c>pooling</c>
/// (<c>tau2</c>, <c>neighbours</c>, <c>temperature</c>, <c>gateLow</c>, <c>gateHigh</c>, <c>shiftScale</c> — 1 when absent), <c>regions</c> (one
/// <c>[labels, residual, curvature, squares]</c> per region), <c>groups</c> (one name per region, only when the regions are
/// known groups — the tasks whose requests the model knows), <c>weights</c> and <c>centroids</c> (base64 of little-endian
/// float32: the per-dimension weights, empty for none, and regions × dimensions centroid values), <c>training</c> notes.
/// </remarks>
public static class AdaptiveModelFile
{
    /// <summary>The model file's format identifier.</summary>
    public const string FormatName = "llmrouting-adaptive";

    /// <summary>The model file version this build reads and writes.</summary>
    public const int FormatVersion = 1;

    private const string EmbeddingName = "hashed-ngrams-v1";

    /// <summary>Writes a model to a file (overwritten; written beside it first and moved into place, so a reader never sees half a file).</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The file path.</param>
    public static void Save(AdaptiveModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string temporary = path + ".tmp";
        using (FileStream stream = File.Create(temporary))
        {
            Save(model, stream);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes a model as JSON.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">The destination (not disposed).</param>
    public static void Save(AdaptiveModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        AdaptiveModelParameters p = model.Parameters;
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", FormatVersion);
        writer.WriteString("modelVersion", p.Version);
        if (p.Description is not null)
        {
            writer.WriteString("description", p.Description);
        }

        writer.WriteStartObject("embedding");
        writer.WriteString("name", EmbeddingName);
        writer.WriteNumber("dimensions", p.Dimensions);
        writer.WriteNumber("maxCharacters", AdaptiveModel.MaxEmbeddedCharacters);
        writer.WriteEndObject();
        writer.WriteStartObject("calibration");
        writer.WriteNumber("slope", p.Slope);
        writer.WriteNumber("intercept", p.Intercept);
        writer.WriteEndObject();
        writer.WriteStartObject("pooling");
        writer.WriteNumber("tau2", p.Tau2);
        writer.WriteNumber("neighbours", p.Neighbours);
        writer.WriteNumber("temperature", p.Temperature);
        writer.WriteNumber("gateLow", p.GateLow);
        writer.WriteNumber("gateHigh", p.GateHigh);
        writer.WriteNumber("shiftScale", p.ShiftScale);
        writer.WriteEndObject();
        writer.WriteStartArray("regions");
        foreach (AdaptiveRegion r in model.Regions)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(r.Labels);
            writer.WriteNumberValue(r.Residual);
            writer.WriteNumberValue(r.Curvature);
            writer.WriteNumberValue(r.Squares);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        if (model.Groups.Count > 0)
        {
            writer.WriteStartArray("groups");
            foreach (string group in model.Groups)
            {
                writer.WriteStringValue(group);
            }

            writer.WriteEndArray();
        }

        writer.WriteStartObject("training");
        foreach (KeyValuePair<string, string> note in p.Training.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            writer.WriteString(note.Key, note.Value);
        }

        writer.WriteEndObject();
        writer.WriteBase64String("weights", ToBytes(model.Weights));
        writer.WriteBase64String("centroids", ToBytes(model.Centroids));
        writer.WriteEndObject();
    }

    /// <summary>Loads a model file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid adaptive model of this version; the message names the field.</exception>
    public static AdaptiveModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Adaptive model file '{path}' does not exist.", path);
        }

        using FileStream stream = File.OpenRead(path);
        try
        {
            return Load(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Invalid adaptive model file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Loads a model from a stream holding the JSON model file.</summary>
    /// <param name="stream">The stream (read to its end, not disposed).</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The content is not a valid adaptive model of this version; the message names the field.</exception>
    public static AdaptiveModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using JsonDocument document = JsonDocument.Parse(stream);
            return Read(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not valid JSON ({e.Message})", e);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"a required field is missing or has the wrong type ({e.Message})", e);
        }
    }

    private static AdaptiveModel Read(JsonElement root)
    {
        string? format = root.GetProperty("format").GetString();
        if (format != FormatName)
        {
            throw new InvalidDataException($"'format' is '{format}', expected '{FormatName}'.");
        }

        int version = root.GetProperty("version").GetInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"'version' is {version}; this build reads version {FormatVersion} only. Retrain with a matching 'llmroute train --router adaptive'.");
        }

        JsonElement embedding = root.GetProperty("embedding");
        if (embedding.GetProperty("name").GetString() != EmbeddingName)
        {
            throw new InvalidDataException($"'embedding.name' must be '{EmbeddingName}'.");
        }

        int d = embedding.GetProperty("dimensions").GetInt32();
        if (d is < 32 or > 8192 || (d & (d - 1)) != 0)
        {
            throw new InvalidDataException($"'embedding.dimensions' must be a power of two from 32 to 8192 (was {d}).");
        }

        // The centroids and the labels' embeddings are of texts cut to this window: a request embedded by another window
        // would be compared with regions of differently embedded text. A file without the field is read with this build's
        // window (files before 2026-12-06 embedded whole texts; they differ only on prompts longer than the window).
        if (embedding.TryGetProperty("maxCharacters", out JsonElement window) && window.GetInt32() != AdaptiveModel.MaxEmbeddedCharacters)
        {
            throw new InvalidDataException($"'embedding.maxCharacters' is {window.GetInt32()}; this build embeds a long text by its first and last {AdaptiveModel.MaxEmbeddedCharacters / 2} characters ({AdaptiveModel.MaxEmbeddedCharacters}). Retrain with a matching 'llmroute train --router adaptive'.");
        }

        JsonElement calibration = root.GetProperty("calibration"), pooling = root.GetProperty("pooling");
        AdaptiveRegion[] regions = [.. root.GetProperty("regions").EnumerateArray().Select(r => new AdaptiveRegion(r[0].GetDouble(), r[1].GetDouble(), r[2].GetDouble(), r[3].GetDouble()))];
        float[] weights = FromBytes(root.GetProperty("weights").GetBytesFromBase64());
        float[] centroids = FromBytes(root.GetProperty("centroids").GetBytesFromBase64());
        if (centroids.Length != regions.Length * d || (weights.Length != 0 && weights.Length != d))
        {
            throw new InvalidDataException($"'centroids' must hold regions × dimensions = {regions.Length * d} values (holds {centroids.Length}) and 'weights' none or {d} (holds {weights.Length}).");
        }

        // Files written before groups were recorded (and models of k-means regions) have none: no task keeps the prior.
        string[]? groups = null;
        if (root.TryGetProperty("groups", out JsonElement names))
        {
            groups = [.. names.EnumerateArray().Select(n => n.GetString() ?? throw new InvalidDataException("'groups' must hold strings."))];
            if (groups.Length != regions.Length)
            {
                throw new InvalidDataException($"'groups' must hold one name per region ({regions.Length}, holds {groups.Length}).");
            }
        }

        double temperature = pooling.GetProperty("temperature").GetDouble();
        int neighbours = pooling.GetProperty("neighbours").GetInt32();
        if (!(temperature > 0) || neighbours < 1)
        {
            throw new InvalidDataException("'pooling.temperature' must be positive and 'pooling.neighbours' at least 1.");
        }

        // Files written before the blend existed have no shiftScale: the whole shift applies.
        double shiftScale = pooling.TryGetProperty("shiftScale", out JsonElement scale) ? scale.GetDouble() : 1;
        if (shiftScale is < 0 or > 1 || double.IsNaN(shiftScale))
        {
            throw new InvalidDataException($"'pooling.shiftScale' must be in [0, 1] (was {shiftScale.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }

        var training = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("training", out JsonElement notes))
        {
            foreach (JsonProperty note in notes.EnumerateObject())
            {
                training[note.Name] = note.Value.GetString() ?? string.Empty;
            }
        }

        var parameters = new AdaptiveModelParameters(
            root.GetProperty("modelVersion").GetString() ?? throw new InvalidDataException("'modelVersion' is missing."),
            d,
            calibration.GetProperty("slope").GetDouble(),
            calibration.GetProperty("intercept").GetDouble(),
            pooling.GetProperty("tau2").GetDouble(),
            neighbours,
            temperature,
            pooling.GetProperty("gateLow").GetDouble(),
            pooling.GetProperty("gateHigh").GetDouble(),
            root.TryGetProperty("description", out JsonElement description) ? description.GetString() : null,
            training,
            shiftScale);
        return new AdaptiveModel(parameters, weights, centroids, regions, groups);
    }

    private static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        byte[] bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }

    private static float[] FromBytes(byte[] bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new InvalidDataException("a float32 array's base64 does not decode to a multiple of 4 bytes.");
        }

        float[] values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return values;
    }
}
