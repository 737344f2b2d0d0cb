<?php
/**
 * Option names, defaults and typed getters.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const CONSENT_SERVER_OPTION_URL        = 'consent_server_url';
const CONSENT_SERVER_OPTION_SITE       = 'consent_server_site';
const CONSENT_SERVER_OPTION_SCRIPT_MAP = 'consent_server_script_map';

/**
 * Every option and transient prefix the plugin owns (uninstall.php removes them).
 *
 * @return string[]
 */
function consent_server_option_names() {
	return array( CONSENT_SERVER_OPTION_URL, CONSENT_SERVER_OPTION_SITE, CONSENT_SERVER_OPTION_SCRIPT_MAP );
}

/**
 * Script handles mapped to a purpose out of the box.
 *
 * Handles as the plugins register them: Google Site Kit's gtag.js
 * (`google_gtagjs`), MonsterInsights and ExactMetrics' front-end trackers,
 * and the usual hand-enqueued names for gtag.js / analytics.js. The owner can
 * change the list on the settings page; the filter lets code change it too.
 *
 * @return array<string,string> handle => purpose
 */
function consent_server_default_script_map() {
	return array(
		'google_gtagjs'                  => 'analytics',
		'monsterinsights-frontend-script' => 'analytics',
		'exactmetrics-frontend-script'   => 'analytics',
		'google-analytics'               => 'analytics',
		'gtag'                           => 'analytics',
	);
}

/**
 * The consent server's base URL without a trailing slash ('' when unset).
 *
 * @return string
 */
function consent_server_url() {
	return untrailingslashit( (string) get_option( CONSENT_SERVER_OPTION_URL, '' ) );
}

/**
 * The site's id on the consent server ('' when unset).
 *
 * @return string
 */
function consent_server_site() {
	return (string) get_option( CONSENT_SERVER_OPTION_SITE, '' );
}

/**
 * Whether both the server URL and the site are configured.
 *
 * @return bool
 */
function consent_server_is_configured() {
	return '' !== consent_server_url() && '' !== consent_server_site();
}

/**
 * Script handles mapped to purposes, after the `consent_server_script_map` filter.
 *
 * @return array<string,string>
 */
function consent_server_script_map() {
	$map = get_option( CONSENT_SERVER_OPTION_SCRIPT_MAP, null );
	if ( ! is_array( $map ) ) {
		$map = consent_server_default_script_map();
	}
	return (array) apply_filters( 'consent_server_script_map', $map );
}

/**
 * Sanitise the server URL: http(s) only, no query, no trailing slash.
 *
 * @param mixed $value Submitted value.
 * @return string
 */
function consent_server_sanitize_url( $value ) {
	$url = esc_url_raw( trim( (string) $value ), array( 'http', 'https' ) );
	$url = preg_replace( '/[?#].*$/', '', $url );
	return untrailingslashit( (string) $url );
}

/**
 * Sanitise the site id to the server's slug alphabet.
 *
 * @param mixed $value Submitted value.
 * @return string
 */
function consent_server_sanitize_site( $value ) {
	$site = strtolower( trim( (string) $value ) );
	if ( preg_match( '/^[a-z0-9][a-z0-9_-]{0,63}$/', $site ) ) {
		return $site;
	}
	if ( '' !== $site && function_exists( 'add_settings_error' ) ) {
		add_settings_error( CONSENT_SERVER_OPTION_SITE, 'invalid_site', __( 'The site key may hold only a-z, 0-9, "-" and "_".', 'consent-server' ) );
	}
	return '';
}

/**
 * Parse "handle = purpose" lines (or an array) into a clean map.
 *
 * @param mixed $value Textarea text or an array.
 * @return array<string,string>
 */
function consent_server_sanitize_script_map( $value ) {
	if ( is_array( $value ) ) {
		$lines = array();
		foreach ( $value as $handle => $purpose ) {
			$lines[] = $handle . '=' . $purpose;
		}
	} else {
		$lines = preg_split( '/\r\n|\r|\n/', (string) $value );
	}
	$map = array();
	foreach ( $lines as $line ) {
		$parts = array_map( 'trim', explode( '=', (string) $line, 2 ) );
		if ( 2 !== count( $parts ) ) {
			continue;
		}
		$handle  = (string) preg_replace( '/[^A-Za-z0-9_.-]/', '', $parts[0] );
		$purpose = strtolower( $parts[1] );
		if ( '' !== $handle && preg_match( '/^[a-z][a-z0-9_]{1,31}$/', $purpose ) ) {
			$map[ $handle ] = $purpose;
		}
	}
	return $map;
}
