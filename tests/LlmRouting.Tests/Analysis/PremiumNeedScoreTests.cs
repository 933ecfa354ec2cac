using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Strategies;
using LlmRouting.Telemetry;

namespace LlmRouting.Tests;

public class PremiumNeedScoreTests
{
    private const string Base = "A shop has a shelf of books and a shelf of games";

    private static double Score(string text) => RequestAnalyzer.Default.AnalyzeText(text).PremiumNeed;

    [Fact]
    public void IsInTheUnitIntervalAndNearZeroForAGreeting()
    {
        double greeting = Score("Hello!");
        Assert.InRange(greeting, 0, 0.01);
        Assert.InRange(Score(string.Concat(Enumerable.Repeat("Why is it so? ", 2000))), 0.5, 1);
    }

    [Fact]
    public void GrowsWithLength()
    {
        double one = Score("The sky was grey over the old harbour town");
        double two = Score("The sky was grey over the old harbour town and the boats stayed tied to the long wooden pier all day");
        Assert.True(two > one, $"{two} > {one}");
    }

    [Fact]
    public void GrowsWithSentences()
    {
        // Same characters and words; only the sentence ends differ.
        double run = Score("the boat left early, the sea was calm, the crew was tired, the nets were full, the gulls followed");
        double sentences = Score("the boat left early. the sea was calm. the crew was tired. the nets were full. the gulls followed.");
        Assert.True(sentences > run, $"{sentences} > {run}");
    }

    [Theory]
    [InlineData("not")] // negation and exceptions
    [InlineData("except")]
    [InlineData("if")] // conditions and assumptions
    [InlineData("suppose")]
    [InlineData("most")] // comparison and judgement
    [InlineData("likely")]
    [InlineData("many")] // quantities
    [InlineData("each")]
    [InlineData("why")] // reasoning connectives
    [InlineData("therefore")]
    public void EachCueWordRaisesTheScore(string cue)
    {
        // The neutral word has the same length, so only the cue differs.
        string neutral = new('z', cue.Length);
        double with = Score($"{Base} {cue} on the wall");
        double without = Score($"{Base} {neutral} on the wall");
        Assert.True(with > without, $"'{cue}': {with} > {without}");
    }

    [Fact]
    public void MoreCuesNeverLowerIt()
    {
        string text = Base;
        double previous = Score(text);
        foreach (string cue in new[] { "if", "not", "most", "each", "why", "many", "except", "because" })
        {
            text += " " + cue;
            double next = Score(text);
            Assert.True(next > previous, $"adding '{cue}': {next} > {previous}");
            previous = next;
        }
    }

    [Fact]
    public void TopicWordsDoNotMoveIt()
    {
        // Same shape, different subject: the score reads how a question is asked, not what it is about.
        double law = Score("Which statute governs the tenant's appeal in the court?");
        double biology = Score("Which protein governs the neuron's signal in the brain?");
        Assert.Equal(law, biology, 12);
    }

    [Fact]
    public void CodeRaisesIt()
    {
        // Same characters and words; only the fences differ.
        double prose = Score("Please look at this and tell me what is wrong with it\n   \nx = 1\n   ");
        double code = Score("Please look at this and tell me what is wrong with it\n```\nx = 1\n```");
        Assert.True(code > prose, $"{code} > {prose}");
    }

    [Fact]
    public void ConversationDepthRaisesIt()
    {
        const string question = "And what about the second one?";
        double single = RequestAnalyzer.Default.Analyze(new RoutingRequest(question)).PremiumNeed;
        // Earlier assistant turns add depth but no user text, so length and cues stay the same.
        var turns = new List<ChatMessage>();
        for (int i = 0; i < 10; i++)
        {
            turns.Add(new ChatMessage(ChatRole.Assistant, "Sure."));
        }

        turns.Add(new ChatMessage(ChatRole.User, question));
        double deep = RequestAnalyzer.Default.Analyze(new RoutingRequest(turns)).PremiumNeed;
        Assert.True(deep > single, $"{deep} > {single}");
    }

    [Fact]
    public void NumbersRaiseAnOpenQuestion()
    {
        // Same characters, words and sentences: "--" is neither a word nor a number.
        double numbers = Score("A shop sells 12 pens for 3 dollars each. How much do 7 pens cost?");
        double none = Score("A shop sells -- pens for - dollars each. How much do - pens cost?");
        Assert.True(numbers > none, $"{numbers} > {none}");
        Assert.Equal(PremiumNeedScore.NumberWeight * Math.Log(4), Logit(numbers) - Logit(none), 9);
    }

    [Fact]
    public void MoreNumbersNeverLowerIt_UpToTheCap()
    {
        // Each ", 7" is a number of its own (", --" pads the text to the same length).
        string text = "Add these up for me please";
        double previous = Score(text + string.Concat(Enumerable.Repeat(", --", 30)));
        for (int n = 1; n <= PremiumNeedScore.MaxNumbers; n++)
        {
            text += ", 7";
            double next = Score(text + string.Concat(Enumerable.Repeat(", --", 30 - n)));
            Assert.True(next > previous, $"{n} numbers: {next} > {previous}");
            previous = next;
        }

        // Beyond the cap a number adds only its characters, as "-" does.
        Assert.Equal(Score(text + ", -"), Score(text + ", 7"), 12);
    }

    [Fact]
    public void AListItemsNumberIsALabel_NotAQuantity()
    {
        // "1. " at a line's start labels an item; the same digits inside the line are quantities ("-." keeps the sentence ends).
        double list = Score("Plan my week:\n1. gym\n2) read\n3. cook");
        double none = Score("Plan my week:\n-. gym\n-) read\n-. cook");
        double quantities = Score("Plan my week:\nA 1. gym\nA 2) read\nA 3. cook");
        Assert.Equal(none, list, 12);
        Assert.True(quantities > Score("Plan my week:\nA -. gym\nA -) read\nA -. cook"));
    }

    [Fact]
    public void OfferedOptionsSwitchTheNumbersOff()
    {
        const string options = "\nA. yes\nB. no";
        double numbers = Score("A shop sells 12 pens for 3 dollars each. Do 7 pens cost 21 dollars?" + options);
        double none = Score("A shop sells -- pens for - dollars each. Do - pens cost -- dollars?" + options);
        Assert.Equal(none, numbers, 12);

        // One option-like line is not a choice.
        Assert.True(Score("A shop sells 12 pens for 3 dollars each.\nA. yes") > Score("A shop sells -- pens for - dollars each.\nA. yes"));
    }

    /// <summary>Open maths word problems written for this check (not from any benchmark); docs/evaluation.md quotes the share.</summary>
    private static readonly string[] WordProblems =
    [
        "A baker makes 48 muffins in the morning and sells three quarters of them by noon. In the afternoon she bakes 20 more. How many muffins does she have at the end of the day if she sells 15 in the afternoon?",
        "Tom has twice as many marbles as Jerry. Together they have 36 marbles. How many marbles does Tom have?",
        "A train travels 60 miles per hour for 2.5 hours and then 45 miles per hour for 1 hour. What is the total distance it travels?",
        "Maria buys 4 notebooks at $3 each and 2 pens at $1.50 each. She pays with a $20 bill. How much change does she get?",
        "A garden is 12 meters long and 8 meters wide. A path 1 meter wide runs around the outside of the garden. What is the area of the path?",
        "Sam reads 15 pages a day. His book has 420 pages. After 10 days, how many more days will he need to finish the book?",
        "A store offers a 20 percent discount on a jacket that costs $85. Sales tax of 8 percent is added after the discount. What is the final price?",
        "There are 30 students in a class. Two fifths of them walk to school, one third take the bus and the rest are driven. How many students are driven to school?",
        "Jenny earns $12 per hour and works 35 hours a week. She saves 25 percent of her weekly pay. How much does she save in 4 weeks?",
        "A water tank holds 500 liters. It leaks 3 liters every hour and is refilled with 20 liters every 6 hours. Starting full, how much water is in the tank after 24 hours?",
        "Liam is 4 years older than his sister. In 6 years the sum of their ages will be 40. How old is Liam now?",
        "A recipe needs 3 cups of flour for 24 cookies. How many cups of flour are needed for 60 cookies?",
        "Each box holds 12 eggs. A farm collects 350 eggs on Monday and 298 eggs on Tuesday. How many full boxes can be packed from the two days, and how many eggs are left over?",
        "A car uses 7 liters of fuel per 100 kilometers. Fuel costs $1.60 per liter. How much does a 450 kilometer trip cost?",
        "Peter had some money. He spent half of it on a game and then $8 on lunch. He had $22 left. How much money did he have at first?",
        "A rectangle has a perimeter of 54 cm. Its length is 3 cm more than twice its width. Find the length and the width.",
        "In a school, 60 percent of the 850 students play a sport. Of those, one quarter play soccer. How many students play soccer?",
        "A farmer has chickens and cows. There are 40 heads and 110 legs in total. How many cows does the farmer have?",
        "Anna runs 5 kilometers on Monday, and each day after that she runs 1.5 kilometers more than the day before. How far does she run in total from Monday to Friday?",
        "A phone plan costs $25 per month plus $0.10 per text beyond the first 200 texts. Carla sent 340 texts last month. What was her bill?",
    ];

    [Fact]
    public void OpenWordProblems_SplitBetweenTheTiers_AndAsMultipleChoiceFewerNeedPremium()
    {
        // The cost-aware strategy's default: premium when the difficulty reaches the economy tier's quality.
        double economy = new CostAwareOptions().TierQuality[QualityTier.Economy];
        int open = WordProblems.Count(p => CostAwareStrategy.DefaultDifficulty(new RoutingRequest(p)) >= economy);
        int choice = WordProblems.Count(p => CostAwareStrategy.DefaultDifficulty(new RoutingRequest(p + "\nA. 12\nB. 15\nC. 18\nD. 20\nAnswer:")) >= economy);
        Assert.InRange(open, WordProblems.Length / 4, WordProblems.Length * 3 / 4);
        Assert.True(choice < open, $"{choice} < {open}");
    }

    [Theory]
    [InlineData("A. four", true)]
    [InlineData("b) four", true)]
    [InlineData("(C) four", true)]
    [InlineData("  D: four", true)]
    [InlineData("\tE.\tfour", true)]
    [InlineData("        J. four", true)]
    [InlineData("         F. four", false)] // more than eight blanks
    [InlineData("K. four", false)] // past J
    [InlineData("AB. four", false)]
    [InlineData("A.four", false)]
    [InlineData("A.", false)]
    [InlineData("1. four", false)] // a numbered list, not options
    public void ChoiceLines_AreOneLetterLabels(string line, bool choice)
    {
        Assert.Equal(choice, PremiumNeedCues.IsChoiceLine(line, 0));
        Assert.Equal(choice, PremiumNeedCues.IsChoiceLine("Which?\n" + line, 7));
    }

    [Fact]
    public void ComputeIsTheDocumentedFormula()
    {
        // σ(1.2·ln(1 + 100) + 0.11·3 + 3·2/√16 + 1·0.5 + 1·0.1 − 9), with 2 messages → depth 0.1.
        double z = (1.2 * Math.Log(101)) + (0.11 * 3) + (3.0 * 2 / 4) + 0.5 + 0.1 - 9;
        Assert.Equal(1 / (1 + Math.Exp(-z)), PremiumNeedScore.Compute(100, 16, 3, 2, 0.5, 2), 12);

        // Sentences saturate at MaxSentences; the code term and depth are clamped to [0, 1].
        Assert.Equal(PremiumNeedScore.Compute(100, 16, PremiumNeedScore.MaxSentences, 0, 1, 11), PremiumNeedScore.Compute(100, 16, 500, 0, 7, 500), 12);

        // Numbers add ln(1 + min(numbers, 20)) unless two or more lines offer answer options.
        Assert.Equal(1 / (1 + Math.Exp(-(z + Math.Log(5)))), PremiumNeedScore.Compute(100, 16, 3, 2, 4, 1, 0.5, 2), 12);
        Assert.Equal(PremiumNeedScore.Compute(100, 16, 3, 2, 0.5, 2), PremiumNeedScore.Compute(100, 16, 3, 2, 4, 2, 0.5, 2), 12);
        Assert.Equal(PremiumNeedScore.Compute(100, 16, 3, 2, PremiumNeedScore.MaxNumbers, 0, 0.5, 2), PremiumNeedScore.Compute(100, 16, 3, 2, 500, 0, 0.5, 2), 12);
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));
}
