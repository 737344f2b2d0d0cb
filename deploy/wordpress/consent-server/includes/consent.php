<?php
/**
 * The PHP side of a visitor's decision: read from our first-party cookie.
 *
 * The banner writes `cs_consent` = encodeURIComponent(JSON.stringify(
 * {"v": visitor, "p": policy version, "c": {purpose: 1|0}, "r": receipt, "t": time}))
 * (docs/CONTRACTS.md). Reading it costs no request to the server.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const CONSENT_SERVER_COOKIE = 'cs_consent';

/**
 * Decode a raw `cs_consent` cookie value into its array, or null when absent or malformed.
 *
 * PHP has already URL-decoded `$_COOKIE` values once; a value that still looks
 * percent-encoded (a proxy re-encoded it) is decoded again.
 *
 * @param mixed $raw Cookie value as found in $_COOKIE.
 * @return array|null
 */
function consent_server_parse_cookie( $raw ) {
	if ( ! is_string( $raw ) || '' === $raw || strlen( $raw ) > 4096 ) {
		return null;
	}
	$json = $raw;
	if ( '{' !== $json[0] ) {
		$json = rawurldecode( $json );
	}
	$state = json_decode( $json, true );
	if ( ! is_array( $state ) && function_exists( 'wp_unslash' ) ) {
		// Some hosts still add magic slashes to cookies.
		$state = json_decode( wp_unslash( $json ), true );
	}
	if ( ! is_array( $state ) || ! isset( $state['c'] ) || ! is_array( $state['c'] ) ) {
		return null;
	}
	return $state;
}

/**
 * The current visitor's consent state from the cookie, or null before any decision.
 *
 * @return array|null Keys v, p, c, r, t as in the contract.
 */
function consent_server_consent_state() {
	$raw = isset( $_COOKIE[ CONSENT_SERVER_COOKIE ] ) ? $_COOKIE[ CONSENT_SERVER_COOKIE ] : null; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- parsed and validated below.
	return consent_server_parse_cookie( $raw );
}

/**
 * Whether the visitor granted a purpose (e.g. 'analytics', 'ads', 'youtube').
 *
 * 'necessary' is always true. Everything else is false until the visitor has
 * said yes to it. Filter `consent_server_has_consent` ($granted, $purpose, $state)
 * lets code override the answer.
 *
 * @param string $purpose Purpose id from the site's inventory.
 * @return bool
 */
function consent_server_has_consent( $purpose ) {
	$purpose = (string) $purpose;
	$state   = consent_server_consent_state();
	if ( 'necessary' === $purpose ) {
		$granted = true;
	} else {
		$granted = is_array( $state ) && isset( $state['c'][ $purpose ] ) && 1 === (int) $state['c'][ $purpose ];
	}
	return (bool) apply_filters( 'consent_server_has_consent', $granted, $purpose, $state );
}
