namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>
/// A block that hides its connection's secret everywhere a later run might look, and one that looks everywhere it
/// can reach: globals and their symbols, every prototype chain and getter, function sources, RegExp statics, error
/// stacks, its own context.
/// </summary>
internal static class ContextLeakBlocks
{
    public const string Stash = """
        const secret = context.secret;
        globalThis.stash = secret;
        globalThis[Symbol.for('stash')] = secret;
        Symbol.for(secret);
        Object.prototype.stashed = secret;
        Array.prototype.stashed = secret;
        JSON.stashed = secret;
        Promise.stashed = secret;
        Object.defineProperty(Function.prototype, 'stashed', { value: secret });
        Error.prototype.message = secret;
        const keep = () => secret;
        Object.prototype.keep = keep;
        /(.+)/.exec(secret);
        console.log(secret);
        Promise.resolve(secret).then((value) => { globalThis.later = value; });
        """;

    public const string Search = """
        const seen = new Set();
        const found = [];
        const text = (value) => { try { return String(value); } catch (e) { return ''; } };
        const visit = (value, depth) => {
            if (typeof value === 'string') { found.push(value); return; }
            if (typeof value === 'symbol') { found.push(text(value.description)); return; }
            if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value) || depth > 8) { return; }
            seen.add(value);
            if (typeof value === 'function') { found.push(text(Function.prototype.toString.call(value))); }
            for (const key of Reflect.ownKeys(value)) {
                found.push(typeof key === 'symbol' ? text(key.description) : key);
                let child;
                try {
                    const property = Object.getOwnPropertyDescriptor(value, key);
                    child = 'value' in property ? property.value : property.get && property.get.call(value);
                } catch (e) {
                    child = text(e && e.message);
                }
                visit(child, depth + 1);
            }
            visit(Object.getPrototypeOf(value), depth + 1);
        };
        visit(globalThis, 0);
        visit(globalThis[Symbol.for('stash')], 0);
        found.push(text(RegExp.$1), text(RegExp.lastMatch), text(RegExp.input));
        found.push(text(new Error('probe').stack), text(new Error().message));
        try { null.x; } catch (e) { found.push(text(e.stack), text(e.message)); }
        found.push(JSON.stringify(context));
        found.push(text(await new Promise((resolve) => resolve(globalThis.later))));
        return { reached: seen.size, haystack: found.join('\n') };
        """;
}
