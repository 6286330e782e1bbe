// The builder's "start from an issuer URL" action: the service fetches the issuer's metadata (RFC 8414 or OpenID
// Connect discovery) and saves a draft from it; the editor then opens that draft, and the scopes the issuer offers
// are shown as chips to pick. Values are only ever written with textContent, never as HTML.
'use strict';

const builderDiscovery = (() => {
  const { api, el, problemText } = ui;

  /** One line per difference the publish re-check found, or why the metadata could not be checked. */
  function describeCheck(check) {
    if (!check) return '';
    if (check.errorCode) return ` The issuer's metadata could not be checked (${check.errorCode}): ${check.errorMessage}`;
    const lines = check.differences.map(d => `• ${d.message}`);
    return lines.length ? ' The issuer\'s metadata differs: ' + lines.join(' ') : ' The issuer\'s metadata matches.';
  }

  /** Wires the action to the builder: `versionPath()`, `open()` (reload the saved draft), `scopes` (the chip list), `say(text, isError)`. */
  function attach(builder) {
    const $ = id => document.getElementById(id);
    const offered = $('offeredScopes');

    function showOffered(scopesSupported) {
      offered.replaceChildren();
      for (const scope of scopesSupported) {
        offered.append(el('button', {
          type: 'button', class: 'chip secondary offered-scope', 'data-value': scope, text: '+ ' + scope,
          onclick: () => {
            const chosen = builder.scopes.get();
            if (!chosen.includes(scope)) builder.scopes.set([...chosen, scope]);
          },
        }));
      }
      $('offeredScopesBox').classList.toggle('hidden', scopesSupported.length === 0);
    }

    async function discover() {
      const issuer = $('discoverIssuer').value.trim();
      if (!issuer || !$('pluginId').value.trim() || !$('versionId').value.trim()) {
        builder.say('Enter the plugin, the version and the issuer URL.', true);
        return;
      }
      builder.say('Fetching the issuer\'s metadata…', false);
      const body = {
        issuer,
        clientId: $('discoverClientId').value.trim() || undefined,
        clientSecret: $('discoverClientSecret').value || undefined,
        scopes: [],
      };
      const response = await api('POST', builder.versionPath() + '/discover', body);
      if (!response.ok) {
        builder.say('No draft from this issuer: ' + problemText(response), true);
        return;
      }
      $('discoverClientSecret').value = '';
      await builder.open();
      showOffered(response.body.metadata.scopesSupported);
      builder.say('Draft filled from the issuer\'s metadata and saved. Pick the scopes, review and publish.', false);
    }

    $('discover').addEventListener('click', () => discover().catch(error => builder.say(error.message, true)));
  }

  return { attach, describeCheck };
})();
