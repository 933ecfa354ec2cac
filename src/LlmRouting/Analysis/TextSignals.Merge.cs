namespace LlmRouting.Analysis;

/// <summary>Adding one accumulator into another: a conversation's signals are the sum of its messages' signals.</summary>
internal sealed partial class TextSignals
{
    /// <summary>Adds every count of <paramref name="other"/> to this accumulator.</summary>
    public void Add(TextSignals other)
    {
        for (int t = 0; t < TaskScores.Length; t++)
        {
            TaskScores[t] += other.TaskScores[t];
        }

        for (int d = 0; d < DomainHits.Length; d++)
        {
            DomainHits[d] += other.DomainHits[d];
        }

        _cues.Add(other._cues);
        Chars += other.Chars;
        Words += other.Words;
        Digits += other.Digits;
        Uppercase += other.Uppercase;
        NonAscii += other.NonAscii;
        Questions += other.Questions;
        CodeFences += other.CodeFences;
        CodeLines += other.CodeLines;
        ListItems += other.ListItems;
        FormulaChars += other.FormulaChars;
        Constraints += other.Constraints;
        Steps += other.Steps;
        Technical += other.Technical;
        Pii |= other.Pii;
        PiiCount += other.PiiCount;
        Unread += other.Unread;
    }
}
