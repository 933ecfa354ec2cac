namespace LlmRouting.Cli;

/// <summary>A user-facing error: the message is printed as is and the tool exits with code 1.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliException()
    {
    }
}
