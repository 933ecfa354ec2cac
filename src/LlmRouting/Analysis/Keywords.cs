using System.Collections.Frozen;

namespace LlmRouting.Analysis;

/// <summary>The analyzer's vocabulary: words and two-word phrases that signal a task, a risk domain, a constraint, a step or technical depth.</summary>
internal static class Keywords
{
    [Flags]
    public enum Kind : byte
    {
        None = 0,
        Constraint = 1,
        Step = 2,
        Technical = 4,
    }

    public readonly record struct Signal(sbyte Task, float TaskWeight, RiskDomains Domain, Kind Kind);

    public static readonly FrozenDictionary<string, Signal> Table = Build();

    public static readonly FrozenDictionary<string, Signal>.AlternateLookup<ReadOnlySpan<char>> Lookup = Table.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The first words of the two-word phrases: a bigram is looked up only after one of them.</summary>
    public static readonly FrozenSet<string> PhraseHeads = Table.Keys.Where(k => k.Contains(' ', StringComparison.Ordinal)).Select(k => k[..k.IndexOf(' ', StringComparison.Ordinal)]).ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> PhraseHeadLookup = PhraseHeads.GetAlternateLookup<ReadOnlySpan<char>>();

    private static FrozenDictionary<string, Signal> Build()
    {
        var table = new Dictionary<string, Signal>(StringComparer.Ordinal);

        void Task(TaskType task, float weight, params string[] words)
        {
            foreach (string w in words)
            {
                table[w] = table.TryGetValue(w, out Signal s) ? s with { Task = (sbyte)task, TaskWeight = weight } : new Signal((sbyte)task, weight, RiskDomains.None, Kind.None);
            }
        }

        void Mark(Kind kind, params string[] words)
        {
            foreach (string w in words)
            {
                table[w] = table.TryGetValue(w, out Signal s) ? s with { Kind = s.Kind | kind } : new Signal(-1, 0, RiskDomains.None, kind);
            }
        }

        void Domain(RiskDomains domain, params string[] words)
        {
            foreach (string w in words)
            {
                table[w] = table.TryGetValue(w, out Signal s) ? s with { Domain = s.Domain | domain } : new Signal(-1, 0, domain, Kind.None);
            }
        }

        Task(TaskType.Code, 1.0f, "code", "function", "method", "class", "compile", "compiler", "debug", "bug", "refactor", "python", "javascript", "typescript", "java", "c#", "csharp", "golang", "rust", "sql", "regex", "api", "endpoint", "exception", "stacktrace", "nullreferenceexception", "segfault", "kubernetes", "docker", "json", "yaml", "html", "css", "react", "dotnet", "npm", "git", "linq", "async", "await", "variable", "loop", "recursion", "algorithm", "implement", "unit test", "stack trace", "pull request", "code review", "syntax error", "query");
        Task(TaskType.Math, 1.0f, "calculate", "compute", "solve", "equation", "integral", "derivative", "probability", "theorem", "prove", "proof", "algebra", "matrix", "vector", "polynomial", "factorial", "percentage", "fahrenheit", "celsius", "convert", "sum", "average", "median", "logarithm", "irrational", "prime", "geometry", "square root");
        Task(TaskType.Reasoning, 0.8f, "why", "explain", "compare", "analyze", "analyse", "evaluate", "reason", "reasoning", "tradeoff", "tradeoffs", "pros", "cons", "implications", "difference", "strategy", "diagnose", "plan", "argue", "justify", "critique", "assess", "step by step", "trade off", "root cause");
        Task(TaskType.Translation, 1.4f, "translate", "translation", "translated", "french", "german", "spanish", "italian", "portuguese", "japanese", "chinese", "korean", "russian", "arabic", "dutch", "polish", "hindi", "into english");
        Task(TaskType.Summarization, 1.4f, "summarize", "summarise", "summary", "summarizing", "summarising", "tldr", "condense", "shorten", "recap", "key points", "main points", "in two sentences", "in one sentence");
        Task(TaskType.Extraction, 1.3f, "extract", "extraction", "parse", "fields", "entities", "list all", "pull out", "find all", "structured", "csv", "table");
        Task(TaskType.Classification, 1.4f, "classify", "classification", "categorize", "categorise", "category", "categories", "label", "sentiment", "tag", "triage", "spam", "which category");
        Task(TaskType.CreativeWriting, 1.3f, "poem", "haiku", "story", "stories", "lyrics", "song", "slogan", "tagline", "creative", "fiction", "novel", "limerick", "sonnet", "joke", "names for", "name ideas", "write a story");
        Task(TaskType.Chat, 0.6f, "hello", "hi", "hey", "thanks", "thank", "hours", "opening", "password", "reset", "account", "order", "shipping", "refund", "price", "capital");

        Mark(Kind.Constraint, "must", "exactly", "only", "without", "ensure", "never", "always", "strictly", "required", "limit", "maximum", "minimum", "at least", "at most", "no more than", "no less than", "do not", "don't", "format", "constraints");
        Mark(Kind.Step, "then", "first", "second", "third", "finally", "next", "afterwards", "steps", "step by step", "and then");
        Mark(Kind.Technical, "complexity", "latency", "throughput", "concurrency", "thread", "memory", "distributed", "architecture", "protocol", "encryption", "schema", "index", "transaction", "optimize", "optimise", "performance", "asymptotic", "eigenvalue", "gradient", "regression", "statistical", "quantum", "theorem", "proof", "o(n)", "injection", "vulnerability", "exit code", "jvm", "gc", "deadlock");

        Domain(RiskDomains.Medical, "medical", "medicine", "medication", "medications", "dose", "dosage", "symptom", "symptoms", "diagnosis", "diagnose", "prescription", "doctor", "patient", "disease", "cancer", "pregnancy", "pregnant", "blood", "pressure", "dizzy", "pain", "allergy", "treatment", "therapy", "surgery", "mg", "insulin", "antibiotic", "vaccine", "blood pressure", "side effects", "mental health", "heart attack");
        Domain(RiskDomains.Legal, "legal", "law", "lawsuit", "sue", "court", "attorney", "lawyer", "contract", "liability", "liable", "compliance", "gdpr", "hipaa", "regulation", "clause", "tenant", "landlord", "custody", "divorce", "copyright", "trademark", "patent", "lawful", "illegal", "terms of service");
        Domain(RiskDomains.Financial, "tax", "taxes", "invest", "investment", "investing", "portfolio", "stock", "stocks", "bond", "bonds", "ira", "roth", "401k", "pension", "mortgage", "loan", "credit", "debt", "bank", "crypto", "bitcoin", "insurance", "retirement", "dividend", "bankruptcy", "interest rate", "tax bracket", "credit card", "bank account");

        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
