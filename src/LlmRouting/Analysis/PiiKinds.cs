namespace LlmRouting.Analysis;

/// <summary>Kinds of personal data found in a request (the kinds only — never the matched text).</summary>
[Flags]
public enum PiiKinds
{
    /// <summary>None found.</summary>
    None = 0,

    /// <summary>An e-mail address.</summary>
    Email = 1 << 0,

    /// <summary>A phone number (10–15 digits with a leading + or separators).</summary>
    Phone = 1 << 1,

    /// <summary>A payment card number that passes the Luhn check.</summary>
    CreditCard = 1 << 2,

    /// <summary>An IBAN that passes the ISO 13616 mod-97 check.</summary>
    Iban = 1 << 3,

    /// <summary>A national id such as a US social security number (ddd-dd-dddd or ddd dd dddd).</summary>
    NationalId = 1 << 4,

    /// <summary>An IPv4 or IPv6 address.</summary>
    IpAddress = 1 << 5,
}
