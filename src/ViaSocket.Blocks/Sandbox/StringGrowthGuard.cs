using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// Checks the built-ins that build a long string in one call (<c>repeat</c>, <c>padStart</c>, <c>padEnd</c>,
/// <c>Array.prototype.join</c>) before they allocate. The interpreter checks memory between statements, and one such
/// call can allocate hundreds of megabytes first: in a runner that only ends the runner, but template expressions
/// run in the silo. Each argument is converted once, here, and handed on converted, so nothing runs twice.
/// </summary>
internal static class StringGrowthGuard
{
    private const long MinimumCharacters = 64 * 1024;

    public static void Install(Engine engine, long maxMemoryBytes, uint maxArrayLength)
    {
        // A UTF-16 string of a quarter of the memory budget is already half of it.
        var maxCharacters = Math.Max(MinimumCharacters, maxMemoryBytes / 4);
        var strings = Prototype(engine, "String");
        Wrap(engine, strings, "repeat", maxCharacters, (self, arguments) =>
        {
            var count = TypeConverter.ToNumber(arguments.At(0));
            var text = TypeConverter.ToString(self);
            // An infinite or negative count is the original's RangeError to raise.
            var length = double.IsFinite(count) && count > 0 ? text.Length * Math.Floor(count) : 0;
            return (length, new JsString(text), [count]);
        });
        Wrap(engine, strings, "padStart", maxCharacters, Padding);
        Wrap(engine, strings, "padEnd", maxCharacters, Padding);
        Wrap(engine, Prototype(engine, "Array"), "join", maxCharacters, (self, arguments) =>
        {
            if (!self.IsObject())
            {
                // A primitive receiver is no longer than itself.
                return (0, self, arguments);
            }

            var array = self.AsObject();
            var count = TypeConverter.ToLength(array.Get("length"));
            if (count > maxArrayLength)
            {
                // The original walks every index of an array-like without a statement the deadline could stop at.
                throw new SandboxLimitExceededException(SandboxLimits.ArrayLength, "The block joined an array-like object longer than an array may be.");
            }

            var separator = arguments.At(0) is var given && !given.IsUndefined() ? TypeConverter.ToString(given) : ",";
            double length = count > 0 ? (count - 1) * (double)separator.Length : 0;
            for (ulong index = 0; index < count && length <= maxCharacters; index++)
            {
                if (array.Get(index) is JsString element)
                {
                    length += element.Length;
                }
            }

            return (length, array, [new JsString(separator)]);
        });
    }

    private static ObjectInstance Prototype(Engine engine, string constructor) =>
        engine.Global.Get(constructor).AsObject().Get("prototype").AsObject();

    private static (double Length, JsValue Self, JsValue[] Arguments) Padding(JsValue self, JsValue[] arguments)
    {
        var target = TypeConverter.ToNumber(arguments.At(0));
        var text = TypeConverter.ToString(self);
        var fill = arguments.At(1) is var given && !given.IsUndefined() ? TypeConverter.ToString(given) : " ";
        var length = fill.Length == 0 || double.IsNaN(target) ? text.Length : Math.Max(text.Length, target);
        return (length, new JsString(text), [target, new JsString(fill)]);
    }

    private static void Wrap(
        Engine engine,
        ObjectInstance prototype,
        string name,
        long maxCharacters,
        Func<JsValue, JsValue[], (double Length, JsValue Self, JsValue[] Arguments)> measure)
    {
        var original = prototype.Get(name);
        prototype.FastSetProperty(name, new PropertyDescriptor(new ClrFunction(engine, name, (self, arguments) =>
        {
            // Null and undefined receivers are the original's TypeError to raise.
            if (self.IsNull() || self.IsUndefined())
            {
                return engine.Call(original, self, arguments);
            }

            var (length, converted, convertedArguments) = measure(self, arguments);
            if (length > maxCharacters)
            {
                throw new SandboxLimitExceededException(SandboxLimits.Memory, $"The block built a string longer than {maxCharacters} characters in one call ({name}).");
            }

            return engine.Call(original, converted, convertedArguments);
        }, 1), PropertyFlag.NonEnumerable | PropertyFlag.Writable | PropertyFlag.Configurable));
    }
}
