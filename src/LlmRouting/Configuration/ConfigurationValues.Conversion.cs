using System.Globalization;

namespace LlmRouting.Configuration;

// Scalar conversion and near-miss name suggestions for ConfigurationValues: failures name the path and the expected form.
internal static partial class ConfigurationValues
{
    /// <summary>Gets the closest of <paramref name="known"/> to <paramref name="name"/> (edit distance, or a prefix), or <see langword="null"/> when none is close.</summary>
    public static string? Nearest(string name, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int distance = candidate.StartsWith(name, StringComparison.OrdinalIgnoreCase) || name.StartsWith(candidate, StringComparison.OrdinalIgnoreCase)
                ? 1
                : Distance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    /// <summary>Converts a scalar, or returns the failure message.</summary>
    public static bool TryConvert(string value, Type type, string path, out object? result, out string? failure)
    {
        failure = null;
        result = null;
        Type? nullable = Nullable.GetUnderlyingType(type);
        Type actual = nullable ?? type;
        if (value.Length == 0 && (nullable is not null || !actual.IsValueType))
        {
            result = actual == typeof(string) ? string.Empty : null;
            return true;
        }

        CultureInfo inv = CultureInfo.InvariantCulture;
        bool ok;
        if (actual == typeof(string))
        {
            (ok, result) = (true, value);
        }
        else if (actual.IsEnum)
        {
            return TryConvertEnum(value, actual, path, out result, out failure);
        }
        else if (actual == typeof(bool))
        {
            ok = bool.TryParse(value, out bool b);
            result = b;
            failure = $"{path} '{value}' is not a valid boolean; use true or false.";
        }
        else if (actual == typeof(int) || actual == typeof(long))
        {
            ok = long.TryParse(value, NumberStyles.AllowLeadingSign, inv, out long l) && (actual == typeof(long) || l is >= int.MinValue and <= int.MaxValue);
            result = actual == typeof(int) ? (object)(int)(ok ? l : 0) : l;
            failure = $"{path} '{value}' is not a valid whole number (e.g. 16000).";
        }
        else if (actual == typeof(double) || actual == typeof(float) || actual == typeof(decimal))
        {
            const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
            if (actual == typeof(decimal))
            {
                ok = decimal.TryParse(value, Styles, inv, out decimal m);
                result = m;
            }
            else
            {
                ok = double.TryParse(value, Styles, inv, out double d) && double.IsFinite(d);
                result = actual == typeof(float) ? (object)(float)d : d;
            }

            failure = $"{path} '{value}' is not a valid number; use digits with '.' as the decimal separator (e.g. 0.15).";
        }
        else if (actual == typeof(TimeSpan))
        {
            ok = TimeSpan.TryParse(value, inv, out TimeSpan t);
            result = t;
            failure = $"{path} '{value}' is not a valid time span; use [d.]hh:mm:ss[.fffffff] (e.g. 00:00:00.050 for 50 ms).";
        }
        else if (actual == typeof(Uri))
        {
            ok = Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out Uri? uri);
            result = uri;
            failure = $"{path} '{value}' is not a valid URI.";
        }
        else
        {
            (ok, failure) = (false, $"{path} cannot be set from configuration (a {actual.Name}); set it in code.");
        }

        if (ok)
        {
            failure = null;
        }

        return ok;
    }

    private static bool TryConvertEnum(string value, Type type, string path, out object? result, out string? failure)
    {
        string[] names = Enum.GetNames(type);
        bool flags = type.IsDefined(typeof(FlagsAttribute), inherit: false);
        string[] parts = flags ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [value.Trim()];
        ulong bits = 0;
        foreach (string part in parts)
        {
            string? match = Array.Find(names, n => string.Equals(n, part, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                string accepted = string.Join(", ", names);
                failure = flags
                    ? $"{path} '{value}' is not valid: '{part}' is not one of {accepted} (combine several with commas, e.g. \"{string.Join(", ", names.Skip(1).Take(2))}\").{DidYouMean(part, names)}"
                    : $"{path} '{value}' is not one of {accepted}.{DidYouMean(part, names)}";
                result = null;
                return false;
            }

            bits |= Convert.ToUInt64(Enum.Parse(type, match), CultureInfo.InvariantCulture);
        }

        result = Enum.ToObject(type, bits);
        failure = null;
        return true;
    }

    private static string DidYouMean(string name, IEnumerable<string> known) =>
        Nearest(name, known) is { } nearest ? $" Did you mean '{nearest}'?" : string.Empty;

    private static int Distance(string a, string b)
    {
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
