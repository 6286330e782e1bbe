// Sandbox prelude: evaluated in every fresh engine before the block. It receives the host bridge (functions
// that only take and return strings) and returns { run, globals }: run executes a block and describes its
// outcome as JSON text; globals holds a factory per author global (axios, URLSearchParams, Buffer, btoa/atob,
// console), installed lazily by the host so a run only pays for the globals it reads.
(function (host) {
    'use strict';

    const hostSend = host.send;
    const hostLog = host.log;
    const toBinary = host.toBinary;
    const fromBinary = host.fromBinary;
    const stringify = JSON.stringify;
    const parse = JSON.parse;

    // Each factory runs at most once per engine.
    function once(factory) {
        let made = false;
        let value;
        return () => {
            if (!made) {
                value = factory();
                made = true;
            }
            return value;
        };
    }

    const isPlainKey = (value) => value !== undefined && value !== null;

    function formEncode(text) {
        return encodeURIComponent(text)
            .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
            .replace(/%20/g, '+');
    }

    function formDecode(text) {
        return decodeURIComponent(text.replace(/\+/g, ' '));
    }

    function paramValue(value) {
        if (value instanceof Date) {
            return value.toISOString();
        }
        return typeof value === 'object' && value !== null ? stringify(value) : String(value);
    }

    const urlSearchParams = once(() => class URLSearchParams {
        #pairs = [];

        constructor(init) {
            if (init === undefined || init === null) {
                return;
            }
            if (init instanceof URLSearchParams) {
                this.#pairs = init.#pairs.map((pair) => [pair[0], pair[1]]);
            } else if (typeof init === 'string') {
                const text = init.startsWith('?') ? init.slice(1) : init;
                for (const part of text.split('&')) {
                    if (part === '') {
                        continue;
                    }
                    const at = part.indexOf('=');
                    this.#pairs.push(at < 0
                        ? [formDecode(part), '']
                        : [formDecode(part.slice(0, at)), formDecode(part.slice(at + 1))]);
                }
            } else if (typeof init[Symbol.iterator] === 'function') {
                for (const pair of init) {
                    this.#pairs.push([String(pair[0]), String(pair[1])]);
                }
            } else if (typeof init === 'object') {
                for (const key of Object.keys(init)) {
                    const value = init[key];
                    if (Array.isArray(value)) {
                        value.filter(isPlainKey).forEach((item) => this.#pairs.push([key, paramValue(item)]));
                    } else if (isPlainKey(value)) {
                        this.#pairs.push([key, paramValue(value)]);
                    }
                }
            }
        }

        get size() { return this.#pairs.length; }
        append(name, value) { this.#pairs.push([String(name), String(value)]); }
        delete(name) { this.#pairs = this.#pairs.filter((pair) => pair[0] !== String(name)); }
        get(name) { const found = this.#pairs.find((pair) => pair[0] === String(name)); return found ? found[1] : null; }
        getAll(name) { return this.#pairs.filter((pair) => pair[0] === String(name)).map((pair) => pair[1]); }
        has(name) { return this.#pairs.some((pair) => pair[0] === String(name)); }
        set(name, value) {
            const key = String(name);
            const at = this.#pairs.findIndex((pair) => pair[0] === key);
            if (at < 0) {
                this.#pairs.push([key, String(value)]);
                return;
            }
            this.#pairs[at] = [key, String(value)];
            this.#pairs = this.#pairs.filter((pair, index) => index <= at || pair[0] !== key);
        }
        sort() { this.#pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); }
        forEach(callback, thisArg) { this.#pairs.forEach((pair) => callback.call(thisArg, pair[1], pair[0], this)); }
        keys() { return this.#pairs.map((pair) => pair[0])[Symbol.iterator](); }
        values() { return this.#pairs.map((pair) => pair[1])[Symbol.iterator](); }
        entries() { return this.#pairs.map((pair) => [pair[0], pair[1]])[Symbol.iterator](); }
        [Symbol.iterator]() { return this.entries(); }
        toString() { return this.#pairs.map((pair) => formEncode(pair[0]) + '=' + formEncode(pair[1])).join('&'); }
    });

    // A Buffer holds its bytes as a binary string (one char per byte); the host converts between encodings.
    const buffer = once(() => class Buffer {
        #binary;

        constructor(binary) { this.#binary = binary; }

        static from(value, encoding) {
            if (value instanceof Buffer) {
                return new Buffer(value.#binary);
            }
            if (typeof value === 'string') {
                return new Buffer(toBinary(value, String(encoding || 'utf8')));
            }
            if (Array.isArray(value) || value instanceof Uint8Array) {
                let binary = '';
                for (const byte of value) {
                    binary += String.fromCharCode(byte & 0xff);
                }
                return new Buffer(binary);
            }
            throw new TypeError('Buffer.from expects a string, an array of bytes or a Buffer.');
        }

        static isBuffer(value) { return value instanceof Buffer; }

        static concat(list) { return new Buffer(list.map((item) => Buffer.from(item).#binary).join('')); }

        static byteLength(value, encoding) { return Buffer.from(value, encoding).length; }

        get length() { return this.#binary.length; }

        toString(encoding) { return fromBinary(this.#binary, String(encoding || 'utf8')); }

        toJSON() {
            const data = [];
            for (let i = 0; i < this.#binary.length; i++) {
                data.push(this.#binary.charCodeAt(i));
            }
            return { type: 'Buffer', data };
        }

        static binaryOf(buffer) { return buffer.#binary; }
    });

    function btoa(text) {
        const value = String(text);
        if (/[^\u0000-\u00ff]/.test(value)) {
            throw new Error('btoa: the string contains characters outside of the Latin1 range.');
        }
        return fromBinary(value, 'base64');
    }

    function atob(text) {
        return toBinary(String(text), 'base64');
    }

    function show(value) {
        if (typeof value === 'string') {
            return value;
        }
        if (value instanceof Error) {
            return value.name + ': ' + value.message;
        }
        try {
            const json = stringify(value);
            return json === undefined ? String(value) : json;
        } catch {
            return String(value);
        }
    }

    const makeLogger = (level) => (...args) => hostLog(level, args.map(show).join(' '));
    const console = once(() => ({
        log: makeLogger('log'),
        info: makeLogger('info'),
        debug: makeLogger('log'),
        warn: makeLogger('warn'),
        error: makeLogger('error'),
    }));

    // ---- axios ---------------------------------------------------------------------------------------------

    function findHeader(headers, name) {
        const lower = name.toLowerCase();
        return Object.keys(headers).find((key) => key.toLowerCase() === lower);
    }

    function setDefaultHeader(headers, name, value) {
        if (findHeader(headers, name) === undefined) {
            headers[name] = value;
        }
    }

    function setHeader(headers, name, value) {
        const existing = findHeader(headers, name);
        if (existing !== undefined) {
            delete headers[existing];
        }
        headers[name] = value;
    }

    function encodeBody(data, headers) {
        if (data === undefined || data === null) {
            return { body: null, binary: false };
        }
        if (data instanceof urlSearchParams()) {
            setDefaultHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded;charset=utf-8');
            return { body: data.toString(), binary: false };
        }
        if (typeof data === 'string') {
            setDefaultHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded');
            return { body: data, binary: false };
        }
        if (data instanceof buffer()) {
            setDefaultHeader(headers, 'Content-Type', 'application/octet-stream');
            return { body: buffer().binaryOf(data), binary: true };
        }
        setDefaultHeader(headers, 'Content-Type', 'application/json');
        return { body: stringify(data), binary: false };
    }

    function buildUrl(config) {
        let url = String(config.url === undefined || config.url === null ? '' : config.url);
        if (config.baseURL && !/^[a-z][a-z\d+\-.]*:\/\//i.test(url)) {
            url = String(config.baseURL).replace(/\/+$/, '') + '/' + url.replace(/^\/+/, '');
        }
        if (config.params !== undefined && config.params !== null) {
            const Params = urlSearchParams();
            const query = new Params(config.params).toString();
            if (query) {
                url += (url.includes('?') ? '&' : '?') + query;
            }
        }
        return url;
    }

    function responseHeaders(pairs) {
        const headers = {};
        for (const pair of pairs) {
            const name = pair[0].toLowerCase();
            if (name === 'set-cookie') {
                (headers[name] = headers[name] || []).push(pair[1]);
            } else {
                headers[name] = name in headers ? headers[name] + ', ' + pair[1] : pair[1];
            }
        }
        return headers;
    }

    function parseData(text, config) {
        if (config.responseType === 'text' || typeof text !== 'string' || text.trim() === '') {
            return text;
        }
        try {
            return parse(text);
        } catch {
            return text;
        }
    }

    function axiosError(message, code, config, response) {
        const error = new Error(message);
        error.name = 'AxiosError';
        error.isAxiosError = true;
        error.code = code;
        error.config = config;
        if (response) {
            error.response = response;
            error.status = response.status;
        }
        error.toJSON = function () {
            return { name: this.name, message: this.message, code: this.code, status: this.status };
        };
        return error;
    }

    const defaultValidateStatus = (status) => status >= 200 && status < 300;

    function mergeConfig(defaults, config) {
        const merged = Object.assign({}, defaults, config);
        merged.headers = Object.assign({}, defaults.headers, config.headers);
        return merged;
    }

    async function dispatch(config) {
        const method = String(config.method || 'get').toUpperCase();
        const headers = {};
        for (const name of Object.keys(config.headers || {})) {
            const value = config.headers[name];
            if (isPlainKey(value)) {
                headers[name] = String(value);
            }
        }
        setDefaultHeader(headers, 'Accept', 'application/json, text/plain, */*');
        const { body, binary } = encodeBody(config.data, headers);
        if (config.auth) {
            const credentials = String(config.auth.username || '') + ':' + String(config.auth.password || '');
            setHeader(headers, 'Authorization', 'Basic ' + fromBinary(toBinary(credentials, 'utf8'), 'base64'));
        }

        const outcome = parse(await hostSend(stringify({
            method,
            url: buildUrl(config),
            headers: Object.keys(headers).map((name) => [name, headers[name]]),
            body,
            binary,
            timeoutMs: Number(config.timeout) > 0 ? Number(config.timeout) : 0,
        })));

        if (!outcome.ok) {
            if (outcome.limit) {
                const error = new Error(outcome.message);
                error.name = 'SandboxLimitError';
                error.sandboxLimit = outcome.limit;
                throw error;
            }
            throw axiosError(outcome.message, outcome.code, config, undefined);
        }

        const response = {
            data: parseData(outcome.body, config),
            status: outcome.status,
            statusText: outcome.statusText,
            headers: responseHeaders(outcome.headers),
            config,
            request: {},
        };
        const validateStatus = config.validateStatus === undefined ? defaultValidateStatus : config.validateStatus;
        if (!validateStatus || validateStatus(response.status)) {
            return response;
        }
        const code = response.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST';
        throw axiosError('Request failed with status code ' + response.status, code, config, response);
    }

    function createAxios(defaults) {
        const instance = (configOrUrl, config) => instance.request(configOrUrl, config);
        instance.defaults = defaults;
        instance.request = (configOrUrl, config) => typeof configOrUrl === 'string'
            ? dispatch(mergeConfig(defaults, Object.assign({}, config, { url: configOrUrl })))
            : dispatch(mergeConfig(defaults, configOrUrl || {}));
        for (const method of ['get', 'delete', 'head', 'options']) {
            instance[method] = (url, config) => dispatch(mergeConfig(defaults, Object.assign({}, config, { method, url })));
        }
        for (const method of ['post', 'put', 'patch']) {
            instance[method] = (url, data, config) => dispatch(mergeConfig(defaults, Object.assign({}, config, { method, url, data })));
        }
        instance.create = (config) => createAxios(mergeConfig(defaults, config || {}));
        instance.isAxiosError = (value) => !!(value && value.isAxiosError === true);
        return instance;
    }

    // How a block says what went wrong at the provider: BlockError.permanent('...') when the user must reconnect,
    // BlockError.transient('...', seconds) when a retry later can succeed.
    class BlockError extends Error {
        constructor(outcome, message, retryAfterSeconds) {
            super(String(message === undefined ? 'The provider refused.' : message));
            this.name = 'BlockError';
            this.outcome = outcome === 'transient' ? 'transient' : 'permanent';
            this.retryAfterSeconds = typeof retryAfterSeconds === 'number' ? retryAfterSeconds : null;
        }

        static permanent(message) {
            return new BlockError('permanent', message);
        }

        static transient(message, retryAfterSeconds) {
            return new BlockError('transient', message, retryAfterSeconds);
        }
    }

    const globals = {
        BlockError: () => BlockError,
        URLSearchParams: urlSearchParams,
        Buffer: buffer,
        btoa: () => btoa,
        atob: () => atob,
        console,
        axios: once(() => createAxios({ headers: {} })),
    };

    // ---- running a block -----------------------------------------------------------------------------------

    function errorLine(error) {
        const stack = error && typeof error.stack === 'string' ? error.stack : '';
        const match = /block\.js:(\d+)/.exec(stack);
        return match ? Number(match[1]) : null;
    }

    function toJsonText(value) {
        try {
            const json = stringify(value);
            return json === undefined ? null : json;
        } catch {
            return null;
        }
    }

    function describe(error) {
        try {
            if (error instanceof BlockError) {
                return {
                    kind: 'declared',
                    outcome: error.outcome,
                    message: String(error.message),
                    retryAfterSeconds: typeof error.retryAfterSeconds === 'number' && isFinite(error.retryAfterSeconds) ? error.retryAfterSeconds : null,
                };
            }
            if (error instanceof Error && typeof error.sandboxLimit === 'string') {
                return { kind: 'limit', limit: error.sandboxLimit, message: String(error.message) };
            }
            if (error && error.isAxiosError === true) {
                const response = error.response;
                if (response && typeof response.status === 'number') {
                    const headers = response.headers || {};
                    return {
                        kind: 'http',
                        status: response.status,
                        dataJson: toJsonText(response.data),
                        retryAfter: typeof headers['retry-after'] === 'string' ? headers['retry-after'] : null,
                        message: String(error.message),
                    };
                }
                return { kind: 'outbound', code: String(error.code), message: String(error.message) };
            }
            if (error instanceof RangeError && error.message === 'Maximum call stack size exceeded') {
                return { kind: 'limit', limit: 'recursion depth', message: 'The block exceeded the call stack.' };
            }
            const message = error instanceof Error ? error.name + ': ' + String(error.message) : String(error);
            return { kind: 'script', message, line: errorLine(error) };
        } catch {
            return { kind: 'script', message: 'The block threw a value that cannot be described.', line: null };
        }
    }

    async function run(block, contextJson) {
        let result;
        try {
            result = await block(parse(contextJson));
        } catch (error) {
            return stringify({ ok: false, failure: describe(error) });
        }
        let json;
        try {
            json = stringify(result);
        } catch (error) {
            return stringify({ ok: false, failure: { kind: 'invalidResult', message: 'The block returned a value that is not JSON data: ' + String(error && error.message) } });
        }
        return '{"ok":true,"result":' + (json === undefined ? 'null' : json) + '}';
    }

    return { run, globals };
})
