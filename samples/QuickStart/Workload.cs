using Microsoft.Extensions.AI;

namespace QuickStart;

/// <summary>A mixed, realistic workload: FAQ, code, stack traces, translation, free-tier users, long documents.</summary>
internal static class Workload
{
    public static IEnumerable<(string Prompt, ChatOptions? Options)> Requests()
    {
        yield return ("What are your opening hours on weekends?", null);
        yield return ("How do I reset my password?", null);
        yield return ("Translate 'Where is the train station?' into German and Spanish.", null);
        yield return ("Our API returns this stack trace: System.NullReferenceException at OrderService.Checkout() line 42. What is wrong?", null);
        yield return ("Write a C# method that merges two sorted arrays in O(n) and explain its complexity.", null);
        yield return ("Summarise our refund policy in two sentences.", Free());
        yield return ("Can you explain the difference between a Roth IRA and a traditional IRA for someone in a high tax bracket?", null);
        yield return ("Is it normal to feel dizzy after starting a new blood-pressure medication?", null);
        yield return ("Give me three name ideas for a bakery.", Free());
        yield return ("Unhandled exception in worker: TimeoutException after 30s calling the payment gateway. How should we retry?", Free());
        yield return ("What's the capital of Australia?", null);
        yield return ("Review this SQL for injection risks: SELECT * FROM users WHERE name = '\" + input + \"'", null);
        yield return ("Draft a polite reply declining a meeting invitation.", null);
        yield return ("My email is jane.doe@example.com and my card 4111 1111 1111 1111 was charged twice.", Sensitive());
        yield return ("Explain step by step how to prove that the square root of 2 is irrational.", null);
        yield return ("Convert 72 degrees Fahrenheit to Celsius.", Free());
        yield return ("Classify this ticket as billing, technical or other: 'I can't log in since the update.'", null);
        yield return (string.Concat(Enumerable.Repeat("Quarterly report paragraph with figures and commentary. ", 400)) + "Summarise the key risks.", null);
        yield return ("Write a haiku about autumn rain.", null);
        yield return ("Our Kubernetes pod keeps crashing with exit code 137 and this stack trace from the JVM. Diagnose it.", null);
    }

    private static ChatOptions Free() => new() { AdditionalProperties = new() { ["tier"] = "free", ["tenant"] = "acme" } };

    private static ChatOptions Sensitive() => new() { AdditionalProperties = new() { ["tags"] = "sensitive", ["tenant"] = "acme" } };
}
