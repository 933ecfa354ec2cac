using LlmRouting.Cli.Data;
using LlmRouting.Cli.Evaluation;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Commands;

/// <summary>Resolves the <c>--router</c> argument of <c>eval</c>.</summary>
internal static class Routers
{
    public const string Classifier = "classifier";
    public const string Embedding = "embedding";
    public const string MeaiSemantic = "meai-semantic";
    public const string Random = "random";
    public const string Length = "length";
    public const string Default = "default";
    public const string Adaptive = "adaptive";
    public const string Shipped = "shipped";

    public static PromptScorer Create(string router, Func<IReadOnlyList<LabelledPrompt>?> trainingData, int k, int seed)
    {
        switch (router.ToLowerInvariant())
        {
            case Classifier:
                return new ClassifierScorer(LoadDefaultModel(), Classifier);
            case Embedding:
                IReadOnlyList<LabelledPrompt> training = trainingData()
                    ?? throw new CliException("The embedding router needs labelled training prompts: pass --train-data <file|folder> (the prompts it finds neighbours among).");
                return new EmbeddingScorer(training, k);
            case MeaiSemantic:
                return new MeaiSemanticScorer(
                    trainingData() ?? throw new CliException("The meai-semantic router needs labelled training prompts: pass --train-data <file|folder> (its premium profile is built from them)."),
                    k);
            case Random:
                return new RandomScorer(seed);
            case Length:
                return new LengthScorer();
            case Default:
                return new PremiumNeedScorer();
            default:
                if (File.Exists(router) && File.ReadAllText(router).Contains($"\"{AdaptiveModelFile.FormatName}\"", StringComparison.Ordinal))
                {
                    try
                    {
                        return new AdaptiveScorer(AdaptiveModelFile.Load(router), $"adaptive ({Path.GetFileName(router)})");
                    }
                    catch (InvalidDataException e)
                    {
                        throw new CliException(e.Message, e);
                    }
                }

                if (File.Exists(router))
                {
                    return new ClassifierScorer(LoadModel(router), $"classifier ({Path.GetFileName(router)})");
                }

                throw new CliException($"Unknown router '{router}': use default, classifier, embedding, meai-semantic, random, length, or the path of a model file (no such file exists).");
        }
    }

    public static ClassifierModel LoadModel(string path)
    {
        try
        {
            return ClassifierModel.Load(path);
        }
        catch (FileNotFoundException e)
        {
            throw new CliException(e.Message, e);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message, e);
        }
    }

    public static ClassifierModel LoadDefaultModel()
    {
        try
        {
            return ClassifierModel.Default;
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message, e);
        }
    }
}
