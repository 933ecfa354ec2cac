namespace LlmRouting.Tests;

public class RouteIdsTests
{
    [Fact]
    public void Ids_AreVersion7_WithTheRfcVariant_AndTimeOrdered()
    {
        var t0 = new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
        Guid first = RouteIds.NewVersion7(t0);
        Guid later = RouteIds.NewVersion7(t0.AddMilliseconds(5));

        Assert.Equal(7, first.Version);
        Assert.Equal(0b10, first.Variant >> 2);
        Assert.True(string.CompareOrdinal(first.ToString("N"), later.ToString("N")) < 0);
        Assert.Equal(t0.ToUnixTimeMilliseconds().ToString("x12", System.Globalization.CultureInfo.InvariantCulture), first.ToString("N")[..12]);
    }

    [Fact]
    public void Ids_AreUnique()
    {
        var now = DateTimeOffset.UtcNow;
        var ids = new HashSet<Guid>();
        for (int i = 0; i < 100_000; i++)
        {
            Assert.True(ids.Add(RouteIds.NewVersion7(now)));
        }
    }
}
