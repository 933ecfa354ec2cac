using LlmRouting.Cli;
using LlmRouting.Cli.Data;

namespace LlmRouting.Cli.Tests;

public class CsvParserTests
{
    private static List<CsvRecord> Parse(string csv) => [.. CsvParser.Read(new StringReader(csv))];

    [Fact]
    public void QuotedFields_HoldCommasQuotesAndLineBreaks()
    {
        List<CsvRecord> records = Parse("prompt,a\n\"Say \"\"hi\"\",\nthen\r\nleave\",True\nplain,False\n");
        Assert.Equal(3, records.Count);
        Assert.Equal("Say \"hi\",\nthen\r\nleave", records[1].Fields[0]);
        Assert.Equal("True", records[1].Fields[1]);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(5, records[2].Line);
    }

    [Fact]
    public void CrLfEmptyFieldsAndAMissingFinalNewline()
    {
        List<CsvRecord> records = Parse("a,b,c\r\n,,\r\n1,\"\",3");
        Assert.Equal(["", "", ""], records[1].Fields);
        Assert.Equal(["1", "", "3"], records[2].Fields);
    }

    [Fact]
    public void BlankLinesAreSkipped()
    {
        Assert.Equal(2, Parse("a\n\n1\n\n").Count);
    }

    [Fact]
    public void AnUnclosedQuote_IsAnError()
    {
        CliException e = Assert.Throws<CliException>(() => Parse("a,b\n\"open,1\n"));
        Assert.Contains("line 2: a quoted field is not closed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TextAfterAClosingQuote_IsAnError()
    {
        CliException e = Assert.Throws<CliException>(() => Parse("\"a\"b,c\n"));
        Assert.Contains("after a closing quote", e.Message, StringComparison.Ordinal);
    }
}
