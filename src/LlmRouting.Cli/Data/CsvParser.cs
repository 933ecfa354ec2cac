using System.Text;

namespace LlmRouting.Cli.Data;

/// <summary>An RFC 4180 CSV reader: quoted fields may hold separators, doubled quotes and line breaks.</summary>
internal static class CsvParser
{
    /// <summary>Reads every record of a CSV text.</summary>
    /// <param name="reader">The text.</param>
    /// <returns>The records with the 1-based line where each starts.</returns>
    /// <exception cref="CliException">A quoted field is not closed, or text follows a closing quote.</exception>
    public static IEnumerable<CsvRecord> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        bool inQuotes = false;
        bool fieldWasQuoted = false;
        bool any = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }

                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"' when field.Length == 0 && !fieldWasQuoted:
                    inQuotes = true;
                    fieldWasQuoted = true;
                    any = true;
                    break;
                case '"':
                    throw new CliException($"line {line}: a quote inside an unquoted field or after a closing quote (RFC 4180 requires the whole field to be quoted).");
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    if (any || field.Length > 0)
                    {
                        fields.Add(field.ToString());
                        yield return new CsvRecord([.. fields], recordLine);
                    }

                    fields.Clear();
                    field.Clear();
                    fieldWasQuoted = false;
                    any = false;
                    line++;
                    recordLine = line;
                    break;
                default:
                    if (fieldWasQuoted)
                    {
                        throw new CliException($"line {line}: text after a closing quote.");
                    }

                    field.Append(ch);
                    any = true;
                    break;
            }
        }

        if (inQuotes)
        {
            throw new CliException($"line {recordLine}: a quoted field is not closed before the end of the file.");
        }

        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            yield return new CsvRecord([.. fields], recordLine);
        }
    }
}

/// <summary>One CSV record.</summary>
/// <param name="Fields">The fields.</param>
/// <param name="Line">The 1-based line where the record starts.</param>
internal sealed record CsvRecord(string[] Fields, int Line);
