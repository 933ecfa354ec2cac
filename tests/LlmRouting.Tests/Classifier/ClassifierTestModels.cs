using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>A tiny model trained on separable synthetic prompts: "prove"/"derive" need premium, greetings do not.</summary>
internal static class ClassifierTestModels
{
    private static readonly Lazy<ClassifierModel> Toy = new(() => ClassifierTrainer.Train(Examples(), new ClassifierTrainingOptions { HashBits = 12, Epochs = 20, Seed = 7 }));

    public static ClassifierModel ToyModel => Toy.Value;

    public static List<ClassifierTrainingExample> Examples()
    {
        string[] hard = ["prove the theorem about primes", "derive the integral of the series", "prove that the algorithm terminates", "derive the eigenvalues of the matrix"];
        string[] easy = ["hello there how are you", "thanks a lot my friend", "what time do you open today", "good morning to you"];
        string[] fillers = ["", "please", "now", "quickly", "kindly", "today", "again", "briefly", "carefully", "soon"];
        var examples = new List<ClassifierTrainingExample>();
        for (int i = 0; i < fillers.Length; i++)
        {
            foreach (string h in hard)
            {
                examples.Add(new ClassifierTrainingExample($"{fillers[i]} {h}", true, $"g{i % 4}"));
            }

            foreach (string e in easy)
            {
                examples.Add(new ClassifierTrainingExample($"{fillers[i]} {e}", false, $"g{i % 4}"));
            }
        }

        return examples;
    }

    public static string ToJson(ClassifierModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static ClassifierModel FromJson(string json) => ClassifierModel.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
}
