using LlmRouting.Cli;
using LlmRouting.Cli.Data;
using Microsoft.Extensions.AI;

namespace LlmRouting.Cli.Tests;

public class LabelledDatasetTests
{
    private const string Csv = "prompt,weak,strong\n\"multi\nline\",True,False\nplain,0,1\n";

    [Fact]
    public void LoadsBooleanColumns_TrueFalseAndOneZero()
    {
        using var folder = new TempFolder();
        LabelledDataset data = LabelledDataset.Load([folder.Write("a.csv", Csv)], "strong", "weak");
        Assert.False(data.IsNumeric);
        Assert.Equal(2, data.Prompts.Count);
        Assert.Equal(("multi\nline", 1.0, 0.0, "a"), (data.Prompts[0].Prompt, data.Prompts[0].Weak, data.Prompts[0].Strong, data.Prompts[0].Group));
        Assert.Equal((0.0, 1.0), (data.Prompts[1].Weak, data.Prompts[1].Strong));
    }

    [Fact]
    public void LoadsNumericScores()
    {
        using var folder = new TempFolder();
        LabelledDataset data = LabelledDataset.Load([folder.Write("a.csv", "prompt,weak,strong\nx,3.5,8\ny,10,1\n")], "strong", "weak");
        Assert.True(data.IsNumeric);
        Assert.Equal([3.5, 10], data.Prompts.Select(p => p.Weak));
    }

    [Fact]
    public void LoadsJsonlAndFolders_AndSkipsTheExclusionFileInAFolder()
    {
        using var folder = new TempFolder();
        folder.Write("b.csv", Csv);
        folder.Write("a.jsonl", "{\"prompt\":\"j1\",\"weak\":true,\"strong\":false}\n\n{\"prompt\":\"j2\",\"weak\":0,\"strong\":1}\n");
        folder.Write("contaminated_prompts.jsonl", "{\"eval_prompt\":\"plain\"}\n");
        LabelledDataset data = LabelledDataset.Load([folder.Path], "strong", "weak");
        Assert.Equal(["j1", "j2", "multi\nline", "plain"], data.Prompts.Select(p => p.Prompt));
    }

    [Fact]
    public void Exclude_DropsListedPrompts()
    {
        using var folder = new TempFolder();
        string exclude = folder.Write("x.jsonl", "{\"eval_prompt\":\"plain\"}\n");
        LabelledDataset data = LabelledDataset.Load([folder.Write("a.csv", Csv)], "strong", "weak", exclude);
        Assert.Equal(1, data.Excluded);
        Assert.Equal(["multi\nline"], data.Prompts.Select(p => p.Prompt));
    }

    [Fact]
    public void MissingFile_IsNamed()
    {
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load(["/no/such/file.csv"], "strong", "weak"));
        Assert.Equal("The data file or folder '/no/such/file.csv' does not exist.", e.Message);
    }

    [Fact]
    public void MissingExclusionFile_IsNamed()
    {
        using var folder = new TempFolder();
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([folder.Write("a.csv", Csv)], "strong", "weak", "/no/x.jsonl"));
        Assert.Contains("'/no/x.jsonl' does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownColumn_IsNamedWithTheAvailableColumns()
    {
        using var folder = new TempFolder();
        string file = folder.Write("a.csv", Csv);
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([file], "gpt-5", "weak"));
        Assert.Equal($"'{file}': column 'gpt-5' (--strong) not found; the columns are: 'prompt', 'weak', 'strong'.", e.Message);
    }

    [Fact]
    public void UnknownJsonlField_IsNamed()
    {
        using var folder = new TempFolder();
        string file = folder.Write("a.jsonl", "{\"prompt\":\"j\",\"weak\":true}\n");
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([file], "strong", "weak"));
        Assert.Contains("line 1: field 'strong' (--strong) not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AColumnNeitherBooleanNorNumeric_NamesTheFirstBadRow()
    {
        using var folder = new TempFolder();
        string file = folder.Write("a.csv", "prompt,weak,strong\n\"two\nlines\",True,True\nb,False,maybe\nc,True,nope\n");
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([file], "strong", "weak"));
        Assert.Equal($"Column 'strong' is neither boolean (True/False, 1/0) nor numeric: '{file}' line 4 has 'maybe'.", e.Message);
    }

    [Fact]
    public void EmptyDataset_IsAnError()
    {
        using var folder = new TempFolder();
        string file = folder.Write("a.csv", "prompt,weak,strong\n");
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([file], "strong", "weak"));
        Assert.StartsWith("The dataset is empty", e.Message, StringComparison.Ordinal);

        string empty = folder.Write("b.csv", string.Empty);
        Assert.Contains("has no header row", Assert.Throws<CliException>(() => LabelledDataset.Load([empty], "strong", "weak")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EverythingExcluded_IsAnEmptyDataset()
    {
        using var folder = new TempFolder();
        string exclude = folder.Write("x.jsonl", "{\"eval_prompt\":\"plain\"}\n{\"eval_prompt\":\"multi\\nline\"}\n");
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([folder.Write("a.csv", Csv)], "strong", "weak", exclude));
        Assert.Contains("after excluding 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StrongEqualToWeak_IsAnError()
    {
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load(["unused.csv"], "gpt", "gpt"));
        Assert.Equal("--strong and --weak name the same column 'gpt'; routing needs two different models.", e.Message);
    }

    [Fact]
    public void RaggedRow_IsNamed()
    {
        using var folder = new TempFolder();
        string file = folder.Write("a.csv", "prompt,weak,strong\na,True\n");
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([file], "strong", "weak"));
        Assert.Equal($"'{file}' line 2: 2 fields, the header has 3.", e.Message);
    }

    [Fact]
    public void GroupColumn_NamesEachPromptsGroup_InCsvAndJsonl()
    {
        using var folder = new TempFolder();
        string csv = folder.Write("traffic.csv", "prompt,task,weak,strong\na,billing,True,False\nb, support ,0,1\nc,billing,1,1\n");
        string jsonl = folder.Write("more.jsonl", "{\"prompt\":\"d\",\"task\":\"support\",\"weak\":true,\"strong\":true}\n{\"prompt\":\"e\",\"task\":7,\"weak\":0,\"strong\":1}\n");
        LabelledDataset data = LabelledDataset.Load([csv, jsonl], "strong", "weak", groupColumn: "task");
        Assert.Equal(["billing", "support", "billing", "support", "7"], data.Prompts.Select(p => p.Group));

        // Without it, the group is the file's name, as before.
        Assert.Equal(["traffic", "traffic", "traffic", "more", "more"], LabelledDataset.Load([csv, jsonl], "strong", "weak").Prompts.Select(p => p.Group));
    }

    [Theory]
    [InlineData("a.csv", "prompt,weak,strong\na,True,False\n", "'{file}': column 'task' (--group-column) not found; the columns are: 'prompt', 'weak', 'strong'.")]
    [InlineData("b.jsonl", "{\"prompt\":\"j\",\"weak\":true,\"strong\":false}\n", "'{file}' line 1: field 'task' (--group-column) not found; the fields are: 'prompt', 'weak', 'strong'.")]
    [InlineData("c.csv", "prompt,task,weak,strong\na,billing,True,False\nb,  ,0,1\n", "'{file}' line 3: the --group-column 'task' is empty; every row needs a group.")]
    [InlineData("d.jsonl", "{\"prompt\":\"j\",\"task\":null,\"weak\":true,\"strong\":false}\n", "'{file}' line 1: the --group-column 'task' is empty; every row needs a group.")]
    public void GroupColumn_MissingOrEmpty_NamesTheFileAndRow(string name, string content, string expected)
    {
        using var folder = new TempFolder();
        string file = folder.Write(name, content);
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([file], "strong", "weak", groupColumn: "task"));
        Assert.Equal(expected.Replace("{file}", file, StringComparison.Ordinal), e.Message);
    }

    [Theory]
    [InlineData("prompt")]
    [InlineData("strong")]
    [InlineData("weak")]
    [InlineData(" ")]
    public void GroupColumn_ThePromptOrAnOutcomeColumn_IsAnError(string column)
    {
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load(["unused.csv"], "strong", "weak", groupColumn: column));
        Assert.Equal($"--group-column '{column}' must name a column of its own, not empty and not the prompt, --strong or --weak column.", e.Message);
    }
    [Fact]
    public void JsonlPrompt_AnArrayOfStrings_IsTheUsersTurns_AndThePromptIsTheLatest()
    {
        using var folder = new TempFolder();
        string file = folder.Write("chat.jsonl", "{\"prompt\":[\"Plan a trip.\",\"Now make it cheaper.\"],\"weak\":1,\"strong\":1}\n{\"prompt\":\"single\",\"weak\":0,\"strong\":1}\n");
        LabelledDataset data = LabelledDataset.Load([file], "strong", "weak");

        LabelledPrompt chat = data.Prompts[0];
        Assert.Equal("Now make it cheaper.", chat.Prompt);
        Assert.Equal([(ChatRole.User, "Plan a trip."), (ChatRole.User, "Now make it cheaper.")], chat.Conversation!.Select(m => (m.Role, m.Text)));
        Assert.Null(data.Prompts[1].Conversation);
        Assert.Equal([(ChatRole.User, "single")], data.Prompts[1].Messages().Select(m => (m.Role, m.Text)));

        // Analysed as the router analyses the conversation: both turns, and its depth.
        Assert.Equal(new RoutingRequest(chat.Conversation!).Analysis.PremiumNeed, chat.Analyze().PremiumNeed);
        Assert.NotEqual(new RoutingRequest(chat.Prompt).Analysis.PremiumNeed, chat.Analyze().PremiumNeed);
    }

    [Fact]
    public void JsonlPrompt_AnArrayOfMessages_KeepsRolesAndTextParts_InOpenAiAndShareGptForm()
    {
        using var folder = new TempFolder();
        string openAi = """
            {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Compare A"},{"type":"text","text":"and B."}]},{"role":"assistant","content":null},{"role":"tool","content":"42"},{"role":"assistant","content":"A is 42."},{"role":"User","content":"Why?"}],"weak":0,"strong":1}
            """;
        string shareGpt = """
            {"messages":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello!"},{"from":"human","value":"Write a haiku."}],"weak":1,"strong":1}
            """;
        string file = folder.Write("chat.jsonl", openAi + "\n" + shareGpt + "\n");
        LabelledDataset data = LabelledDataset.Load([file], "strong", "weak", promptColumn: "messages");

        Assert.Equal(
            [(ChatRole.System, "Be brief."), (ChatRole.User, "Compare A\nand B."), (ChatRole.Assistant, ""), (ChatRole.Tool, "42"), (ChatRole.Assistant, "A is 42."), (ChatRole.User, "Why?")],
            data.Prompts[0].Conversation!.Select(m => (m.Role, m.Text)));
        Assert.Equal("Why?", data.Prompts[0].Prompt);
        Assert.Equal([(ChatRole.User, "Hi"), (ChatRole.Assistant, "Hello!"), (ChatRole.User, "Write a haiku.")], data.Prompts[1].Conversation!.Select(m => (m.Role, m.Text)));
        Assert.Equal("Write a haiku.", data.Prompts[1].Prompt);

        // Each call gets its own list, so a pipeline that appends to it cannot change the next prompt's conversation.
        Assert.NotSame(data.Prompts[0].Messages(), data.Prompts[0].Messages());
    }

    [Theory]
    [InlineData("null", "is null; a prompt is a string, an array of the user's turns or an array of messages.")]
    [InlineData("{\"text\":\"x\"}", "is a JSON object; a prompt is a string, an array of the user's turns or an array of messages (pass the field that holds them with --prompt-column).")]
    [InlineData("[]", "is an empty array: no user turn to route.")]
    [InlineData("[\"a\",{\"role\":\"user\",\"content\":\"b\"}]", ", item 1 mixes strings and messages; use one or the other.")]
    [InlineData("[\"a\",3]", ", item 1 is neither a string (a user turn) nor a message object.")]
    [InlineData("[{\"role\":\"narrator\",\"content\":\"b\"}]", ", item 0: unknown role 'narrator'; the roles read are system, developer, user, human, assistant, gpt, model, bot, tool, function.")]
    [InlineData("[{\"content\":\"b\"}]", ", item 0: a message needs 'role' (or 'from'); it has 'content'.")]
    [InlineData("[{\"role\":\"user\"}]", ", item 0: a message needs 'content' (or 'value'); it has 'role'.")]
    [InlineData("[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]", ", item 0: a content part of type 'image_url' has no text; only text parts are read.")]
    [InlineData("[{\"role\":\"user\",\"content\":7}]", ", item 0: the content is neither a string, null nor an array of text parts.")]
    [InlineData("[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]", " ends with an assistant message: the outcomes are of the answer to the conversation, so it ends before that answer.")]
    [InlineData("[{\"role\":\"system\",\"content\":\"only a system prompt\"}]", " has no user message with text.")]
    public void JsonlPrompt_ThatIsNoPrompt_NamesTheFileLineAndWhatIsWrong(string prompt, string expected)
    {
        using var folder = new TempFolder();
        string file = folder.Write("bad.jsonl", "{\"prompt\":\"fine\",\"weak\":0,\"strong\":1}\n{\"prompt\":" + prompt + ",\"weak\":0,\"strong\":1}\n");
        CliException e = Assert.Throws<CliException>(() => LabelledDataset.Load([file], "strong", "weak"));
        string where = $"'{file}' line 2: field 'prompt'";
        Assert.Equal(expected.StartsWith(',') || expected.StartsWith(' ') ? where + expected : $"{where} {expected}", e.Message);
    }
}
