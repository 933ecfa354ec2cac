using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace LlmRouting.Strategies;

// The model file reader of ClassifierModel: parses and validates every field, failing with InvalidDataException naming it.
public sealed partial class ClassifierModel
{
    /// <summary>Reads and validates the JSON model file.</summary>
    private static class ClassifierModelReader
    {
        public static ClassifierModel Read(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the root must be a JSON object.");
            }

            string format = RequiredString(root, "format");
            if (!string.Equals(format, FormatName, StringComparison.Ordinal))
            {
                throw Invalid($"'format' is '{format}', expected '{FormatName}'.");
            }

            int version = RequiredInt(root, "version");
            if (version != FormatVersion)
            {
                throw Invalid($"'version' is {version}; this build reads version {FormatVersion} only. Retrain the model with a matching 'llmroute train'.");
            }

            string? description = root.TryGetProperty("description", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            JsonElement features = Required(root, "features", JsonValueKind.Object);
            JsonElement hashed = Required(features, "hashed", JsonValueKind.Object);
            string hashedName = RequiredString(hashed, "name");
            if (!string.Equals(hashedName, ClassifierFeaturizer.HashedFeatureSetName, StringComparison.Ordinal))
            {
                throw Invalid($"'features.hashed.name' is '{hashedName}'; this build computes '{ClassifierFeaturizer.HashedFeatureSetName}'.");
            }

            int bits = RequiredInt(hashed, "bits");
            int charMin = RequiredInt(hashed, "charNGramMin");
            int charMax = RequiredInt(hashed, "charNGramMax");
            if (bits is < 10 or > 24)
            {
                throw Invalid($"'features.hashed.bits' is {bits}; it must be from 10 to 24.");
            }

            if (charMin < 0 || charMax < charMin || charMax > 6 || (charMin == 0) != (charMax == 0))
            {
                throw Invalid($"'features.hashed' character n-gram range [{charMin}, {charMax}] must be 0..0 or within 1..6.");
            }

            JsonElement numericArray = Required(features, "numeric", JsonValueKind.Array);
            NumericFeatureSet numeric = ReadNumericSet(numericArray, out float[] mean, out float[] scale, out float[] numericWeights);

            float bias = RequiredFloat(root, "bias");
            JsonElement weightsElement = Required(root, "weights", JsonValueKind.String);
            if (!weightsElement.TryGetBytesFromBase64(out byte[]? bytes))
            {
                throw Invalid("'weights' is not valid base64.");
            }

            int dimensions = 1 << bits;
            if (bytes.Length != dimensions * sizeof(float))
            {
                throw Invalid($"'weights' holds {bytes.Length / (double)sizeof(float):0.##} floats; 'bits' = {bits} needs {dimensions}.");
            }

            float[] weights = new float[dimensions];
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(weights);
            }
            else
            {
                for (int i = 0; i < dimensions; i++)
                {
                    weights[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
                }
            }

            if (!float.IsFinite(bias) || !IsFinite(weights) || !IsFinite(numericWeights) || !IsFinite(mean))
            {
                throw Invalid("the weights contain a NaN or infinite value.");
            }

            var training = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("training", out JsonElement notes) && notes.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty note in notes.EnumerateObject())
                {
                    training[note.Name] = note.Value.ValueKind == JsonValueKind.String ? note.Value.GetString()! : note.Value.GetRawText();
                }
            }

            var featurizer = new ClassifierFeaturizer(bits, charMin, charMax, numeric);
            return new ClassifierModel(featurizer, weights, bias, mean, scale, numericWeights, description, training);
        }

        private static NumericFeatureSet ReadNumericSet(JsonElement array, out float[] mean, out float[] scale, out float[] weights)
        {
            int n = array.GetArrayLength();
            string? setName = null;
            mean = new float[n];
            scale = new float[n];
            weights = new float[n];
            var names = new List<string>(n);
            int i = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid($"'features.numeric[{i}]' must be an object.");
                }

                string set = RequiredString(item, "set");
                if (setName is not null && !string.Equals(set, setName, StringComparison.Ordinal))
                {
                    throw Invalid($"'features.numeric[{i}].set' is '{set}' but earlier entries use '{setName}'; one numeric set per model.");
                }

                setName = set;
                names.Add(RequiredString(item, "name"));
                mean[i] = RequiredFloat(item, "mean");
                scale[i] = RequiredFloat(item, "scale");
                weights[i] = RequiredFloat(item, "weight");
                if (!(scale[i] > 0) || !float.IsFinite(scale[i]))
                {
                    throw Invalid($"'features.numeric[{i}].scale' must be a positive finite number (was {scale[i].ToString(CultureInfo.InvariantCulture)}).");
                }

                i++;
            }

            if (setName is null)
            {
                throw Invalid("'features.numeric' is empty; expected the features of one numeric set.");
            }

            NumericFeatureSet known = NumericFeatureSet.Find(setName)
                ?? throw Invalid($"numeric feature set '{setName}' is not computed by this build (known: {string.Join(", ", NumericFeatureSet.Known.Select(s => s.Name))}).");
            if (!names.SequenceEqual(known.FeatureNames, StringComparer.Ordinal))
            {
                throw Invalid($"numeric features [{string.Join(", ", names)}] do not match the set '{setName}' of this build [{string.Join(", ", known.FeatureNames)}].");
            }

            return known;
        }

        private static bool IsFinite(ReadOnlySpan<float> values)
        {
            foreach (float v in values)
            {
                if (!float.IsFinite(v))
                {
                    return false;
                }
            }

            return true;
        }

        private static JsonElement Required(JsonElement parent, string name, JsonValueKind kind)
        {
            if (!parent.TryGetProperty(name, out JsonElement value))
            {
                throw Invalid($"the required property '{name}' is missing.");
            }

            if (value.ValueKind != kind)
            {
                throw Invalid($"'{name}' must be a JSON {kind.ToString().ToLowerInvariant()} (was {value.ValueKind.ToString().ToLowerInvariant()}).");
            }

            return value;
        }

        private static string RequiredString(JsonElement parent, string name) => Required(parent, name, JsonValueKind.String).GetString()!;

        private static int RequiredInt(JsonElement parent, string name) =>
            Required(parent, name, JsonValueKind.Number).TryGetInt32(out int value) ? value : throw Invalid($"'{name}' must be an integer.");

        private static float RequiredFloat(JsonElement parent, string name) =>
            Required(parent, name, JsonValueKind.Number).TryGetSingle(out float value) ? value : throw Invalid($"'{name}' must be a number.");

        private static InvalidDataException Invalid(string message) => new(InvalidPrefix + message);
    }
}
