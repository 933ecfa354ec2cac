using System.CommandLine;
using LlmRouting.Cli.Commands;

var root = new RootCommand("llmroute: evaluate LLM routers on labelled prompts, train and calibrate the LlmRouting classifier.")
{
    EvalCommand.Create(),
    TrainCommand.Create(),
    CalibrateCommand.Create(),
    RegressCommand.Create(),
    SimulateCommand.Create(),
};
return root.Parse(args).Invoke();
