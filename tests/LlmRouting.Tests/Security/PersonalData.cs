using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;

namespace LlmRouting.Tests;

/// <summary>Generates personal data in the formats people write it, and places it in every part of a request that carries text.</summary>
public static class PersonalData
{
    /// <summary>A value of personal data: the text as written, the kind the analyzer must find, and a marker that survives in every format (for leak checks).</summary>
    public sealed record Sample(string Text, PiiKinds Kind, string Format)
    {
        public override string ToString() => $"{Kind}/{Format}";
    }

    public static readonly string[] CardFormats = ["compact", "spaced", "dashed", "expiry", "expiry+cvv", "fullwidth", "zerowidth", "nbsp", "pairs"];
    public static readonly string[] EmailFormats = ["plain", "non-latin-domain", "cyrillic", "fullwidth-at", "zerowidth", "upper"];
    public static readonly string[] IbanFormats = ["compact", "spaced", "lower", "dashed", "fullwidth"];
    public static readonly string[] PhoneFormats = ["e164-spaced", "nanp-parens", "nanp-dots", "nanp-dashes", "fullwidth"];
    public static readonly string[] SsnFormats = ["dashed", "spaced", "zerowidth"];

    /// <summary>Every kind in every format, generated from <paramref name="random"/>.</summary>
    public static IEnumerable<Sample> All(Random random)
    {
        foreach (string f in CardFormats)
        {
            yield return Card(random, f);
        }

        foreach (string f in EmailFormats)
        {
            yield return Email(random, f);
        }

        foreach (string f in IbanFormats)
        {
            yield return Iban(random, f);
        }

        foreach (string f in PhoneFormats)
        {
            yield return Phone(random, f);
        }

        foreach (string f in SsnFormats)
        {
            yield return Ssn(random, f);
        }

        yield return new Sample($"10.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}", PiiKinds.IpAddress, "ipv4");
    }

    public static Sample Card(Random random, string format)
    {
        // A Luhn-valid Visa (16 digits) or Mastercard.
        var digits = new int[16];
        digits[0] = random.Next(2) == 0 ? 4 : 5;
        digits[1] = digits[0] == 5 ? random.Next(1, 6) : random.Next(10);
        for (int i = 2; i < 15; i++)
        {
            digits[i] = random.Next(10);
        }

        digits[15] = LuhnCheckDigit(digits.AsSpan(0, 15));
        string compact = string.Concat(digits);
        string spaced = string.Join(' ', Chunk(compact, 4));
        string expiry = $"{random.Next(1, 13):00}/{random.Next(26, 35)}";
        string text = format switch
        {
            "compact" => compact,
            "spaced" => spaced,
            "dashed" => string.Join('-', Chunk(compact, 4)),
            "expiry" => $"{spaced} {expiry}",
            "expiry+cvv" => $"{spaced} {expiry} {random.Next(100, 1000)}",
            "fullwidth" => FullWidth(spaced),
            "zerowidth" => string.Join("\u200B", Chunk(compact, 4)),
            "nbsp" => string.Join('\u00A0', Chunk(compact, 4)),
            "pairs" => string.Join(' ', Chunk(compact, 2)),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return new Sample(text, PiiKinds.CreditCard, format);
    }

    public static Sample Email(Random random, string format)
    {
        string local = $"user{random.Next(1000, 9999)}";
        string text = format switch
        {
            "plain" => $"{local}@example.com",
            "non-latin-domain" => $"{local}@exämple.de",
            "cyrillic" => $"{local}@почта.рф",
            "fullwidth-at" => $"{local}＠example.com",
            "zerowidth" => $"{local}\u200D@example\u200B.com",
            "upper" => $"{local.ToUpperInvariant()}@EXAMPLE.ORG",
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return new Sample(text, PiiKinds.Email, format);
    }

    public static Sample Iban(Random random, string format)
    {
        var bban = new StringBuilder();
        for (int i = 0; i < 18; i++)
        {
            bban.Append((char)('0' + random.Next(10)));
        }

        string compact = "DE" + IbanCheckDigits("DE", bban.ToString()) + bban;
        string spaced = string.Join(' ', Chunk(compact, 4));
        string text = format switch
        {
            "compact" => compact,
            "spaced" => spaced,
            "lower" => spaced.ToLowerInvariant(),
            "dashed" => string.Join('-', Chunk(compact, 4)),
            "fullwidth" => FullWidth(spaced),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return new Sample(text, PiiKinds.Iban, format);
    }

    public static Sample Phone(Random random, string format)
    {
        string a = random.Next(200, 999).ToString(CultureInfo.InvariantCulture);
        string b = random.Next(200, 999).ToString(CultureInfo.InvariantCulture);
        string c = random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        string text = format switch
        {
            "e164-spaced" => $"+44 20 {random.Next(1000, 9999)} {c}",
            "nanp-parens" => $"({a}) {b}-{c}",
            "nanp-dots" => $"{a}.{b}.{c}",
            "nanp-dashes" => $"{a}-{b}-{c}",
            "fullwidth" => FullWidth($"+1 {a} {b} {c}"),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return new Sample(text, PiiKinds.Phone, format);
    }

    public static Sample Ssn(Random random, string format)
    {
        string area = random.Next(1, 666).ToString("000", CultureInfo.InvariantCulture);
        string group = random.Next(1, 100).ToString("00", CultureInfo.InvariantCulture);
        string serial = random.Next(1, 10000).ToString("0000", CultureInfo.InvariantCulture);
        string text = format switch
        {
            "dashed" => $"{area}-{group}-{serial}",
            "spaced" => $"{area} {group} {serial}",
            "zerowidth" => $"{area}-\u2060{group}-{serial}",
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return new Sample(text, PiiKinds.NationalId, format);
    }

    /// <summary>Where in a request the personal data is placed.</summary>
    public static readonly string[] Parts =
    [
        "user-text", "earlier-user-text", "system", "assistant", "instructions", "reasoning", "tool-call-arguments",
        "tool-result-string", "tool-result-dictionary", "tool-result-array", "tool-result-json", "tool-result-object",
        "tool-result-nested", "tool-result-recursive-tostring", "text-attachment", "json-attachment",
    ];

    /// <summary>A request (messages and options) carrying <paramref name="secret"/> in <paramref name="part"/>, with an innocuous last user turn elsewhere.</summary>
    public static (List<ChatMessage> Messages, ChatOptions Options) Place(string secret, string part, ChatOptions? options = null)
    {
        options ??= new ChatOptions();
        const string Question = "Please summarise what we have so far.";
        List<ChatMessage> messages = part switch
        {
            "user-text" => [new(ChatRole.User, $"My details: {secret}. {Question}")],
            "earlier-user-text" => [new(ChatRole.User, $"Note {secret} for later."), new(ChatRole.Assistant, "Noted."), new(ChatRole.User, Question)],
            "system" => [new(ChatRole.System, $"The customer on file is {secret}."), new(ChatRole.User, Question)],
            "assistant" => [new(ChatRole.User, "Who is on file?"), new(ChatRole.Assistant, $"The customer on file is {secret}."), new(ChatRole.User, Question)],
            "instructions" => [new(ChatRole.User, Question)],
            "reasoning" => [new(ChatRole.User, "Look it up."), new(ChatRole.Assistant, [new TextReasoningContent($"The record says {secret}."), new TextContent("Found it.")]), new(ChatRole.User, Question)],
            "tool-call-arguments" => ToolCall(new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["query"] = secret }), "done"),
            "tool-result-string" => ToolResult(secret),
            "tool-result-dictionary" => ToolResult(new Dictionary<string, object?> { ["customer"] = new Dictionary<string, object?> { ["contact"] = secret } }),
            "tool-result-array" => ToolResult(new object?[] { 1, "x", new[] { secret } }),
            "tool-result-json" => ToolResult(JsonDocument.Parse(JsonSerializer.Serialize(new { rows = new[] { new { value = secret } } })).RootElement),
            "tool-result-object" => ToolResult(new CustomerRecord("Jane", secret)),
            "tool-result-nested" => ToolResult(Nest(secret, 20)),
            "tool-result-recursive-tostring" => ToolResult(new SelfReferencing(secret)),
            "text-attachment" => [new(ChatRole.User, [new TextContent(Question), new DataContent(Encoding.UTF8.GetBytes($"notes: {secret}\n"), "text/plain")])],
            "json-attachment" => [new(ChatRole.User, [new TextContent(Question), new DataContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { contact = secret })), "application/json")])],
            _ => throw new ArgumentOutOfRangeException(nameof(part)),
        };

        if (part == "instructions")
        {
            options.Instructions = $"The customer on file is {secret}.";
        }

        return (messages, options);

        static List<ChatMessage> ToolCall(FunctionCallContent call, object? result) =>
        [
            new(ChatRole.User, "Look it up."),
            new(ChatRole.Assistant, [call]),
            new(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)]),
            new(ChatRole.User, Question),
        ];

        static List<ChatMessage> ToolResult(object? result) => ToolCall(new FunctionCallContent("c1", "lookup"), result);
    }

    private static Dictionary<string, object?> Nest(string secret, int depth)
    {
        var root = new Dictionary<string, object?> { ["leaf"] = secret };
        for (int i = 0; i < depth; i++)
        {
            root = new Dictionary<string, object?> { ["level"] = root };
        }

        return root;
    }

    private static IEnumerable<string> Chunk(string text, int size)
    {
        for (int i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }

    private static string FullWidth(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            builder.Append(c is >= '!' and <= '~' ? (char)(c - '!' + '\uFF01') : c == ' ' ? '\u3000' : c);
        }

        return builder.ToString();
    }

    private static int LuhnCheckDigit(ReadOnlySpan<int> payload)
    {
        int sum = 0;
        for (int i = payload.Length - 1, k = 0; i >= 0; i--, k++)
        {
            int d = payload[i];
            if (k % 2 == 0)
            {
                d *= 2;
                d -= d > 9 ? 9 : 0;
            }

            sum += d;
        }

        return (10 - (sum % 10)) % 10;
    }

    private static string IbanCheckDigits(string country, string bban)
    {
        string rearranged = bban + country + "00";
        int remainder = 0;
        foreach (char ch in rearranged)
        {
            int value = char.IsAsciiDigit(ch) ? ch - '0' : ch - 'A' + 10;
            remainder = value >= 10 ? ((remainder * 100) + value) % 97 : ((remainder * 10) + value) % 97;
        }

        return (98 - remainder).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>A tool result object (serialized by property, never by <c>ToString</c>).</summary>
    public sealed record CustomerRecord(string Name, string Contact)
    {
        public override string ToString() => nameof(CustomerRecord);
    }

    /// <summary>A tool result whose <c>ToString</c> recurses forever (a stack overflow if anything calls it) and whose graph is cyclic.</summary>
    public sealed class SelfReferencing(string contact)
    {
        public string Contact { get; } = contact;

        public SelfReferencing Self => this;

        public override string ToString() => "self: " + ToString();
    }
}
