'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const params = new URLSearchParams(location.search);
  document.getElementById('next').value = params.get('next') || '';
  if (params.get('error') === 'invalid_key') {
    document.getElementById('message').textContent = 'That API key is unknown or revoked.';
  }
});
