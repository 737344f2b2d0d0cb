<?php
/**
 * Requests to the consent server: the site configuration and the cookie-policy fragment.
 *
 * Both are public, read-only endpoints. Page renders never wait on them except
 * the shortcode page, and then only when the cached copy is stale.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const CONSENT_SERVER_CONFIG_TRANSIENT = 'consent_server_config';
const CONSENT_SERVER_POLICY_TRANSIENT = 'consent_server_policy_';

/**
 * URL of the banner script for this site ('' when unconfigured).
 *
 * @return string
 */
function consent_server_script_url() {
	if ( ! consent_server_is_configured() ) {
		return '';
	}
	return consent_server_url() . '/c/' . rawurlencode( consent_server_site() ) . '.js';
}

/**
 * Transient name of the cached configuration (per server and site, so a changed setting never reads a stale copy).
 *
 * @return string
 */
function consent_server_config_transient() {
	return CONSENT_SERVER_CONFIG_TRANSIENT . '_' . md5( consent_server_url() . '|' . consent_server_site() );
}

/**
 * GET a URL on the consent server.
 *
 * @param string $url Absolute URL.
 * @return array|WP_Error Array with 'status', 'body' and 'cache_control' (the header, '' when absent).
 */
function consent_server_http_get( $url ) {
	$response = wp_remote_get(
		$url,
		array(
			'timeout'     => (int) apply_filters( 'consent_server_http_timeout', 5 ),
			'redirection' => 2,
			'headers'     => array( 'Accept' => 'application/json, text/html' ),
		)
	);
	if ( is_wp_error( $response ) ) {
		return $response;
	}
	return array(
		'status'        => (int) wp_remote_retrieve_response_code( $response ),
		'body'          => (string) wp_remote_retrieve_body( $response ),
		'cache_control' => (string) wp_remote_retrieve_header( $response, 'cache-control' ),
	);
}

/**
 * Seconds a response may be kept, from its Cache-Control header: max-age, 0 for no-cache/no-store, else $default.
 *
 * @param string $cache_control The header's value.
 * @param int    $default       Seconds when the header says nothing about freshness.
 * @return int
 */
function consent_server_cache_seconds( $cache_control, $default ) {
	$header = strtolower( (string) $cache_control );
	if ( preg_match( '/(?:^|,)\s*(?:no-cache|no-store)\s*(?:,|$)/', $header ) ) {
		return 0;
	}
	if ( preg_match( '/(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/', $header, $match ) ) {
		return (int) $match[1];
	}
	return (int) $default;
}

/**
 * Fetch the served site configuration from the server, uncached, with how long it may be kept.
 *
 * @return array|WP_Error Keys 'config' (decoded) and 'seconds' (from the server's Cache-Control).
 */
function consent_server_fetch_config_entry() {
	if ( ! consent_server_is_configured() ) {
		return new WP_Error( 'consent_server_unconfigured', __( 'Set the server URL and the site first.', 'consent-server' ) );
	}
	$url    = consent_server_url() . '/api/v1/sites/' . rawurlencode( consent_server_site() ) . '/config';
	$result = consent_server_http_get( $url );
	if ( is_wp_error( $result ) ) {
		return $result;
	}
	$config = json_decode( $result['body'], true );
	if ( 200 !== $result['status'] || ! is_array( $config ) || ! isset( $config['policy_version'] ) ) {
		/* translators: %d: HTTP status code */
		return new WP_Error( 'consent_server_bad_config', sprintf( __( 'The server answered HTTP %d without a site configuration.', 'consent-server' ), $result['status'] ) );
	}
	return array(
		'config'  => $config,
		'seconds' => consent_server_cache_seconds( $result['cache_control'], 5 * MINUTE_IN_SECONDS ),
	);
}

/**
 * Fetch the served site configuration from the server, uncached.
 *
 * @return array|WP_Error The decoded configuration.
 */
function consent_server_fetch_config() {
	$entry = consent_server_fetch_config_entry();
	return is_wp_error( $entry ) ? $entry : $entry['config'];
}

/**
 * The site configuration, kept as long as the server lets browsers keep the banner's copy.
 *
 * The server's Cache-Control (CONSENT_SNIPPET_MAX_AGE, 300 s by default) bounds how long a
 * browser runs the banner with an old configuration, so keeping ours as long makes PHP see a
 * new policy version (and its consent floor) within the same time as the banner does. The
 * filter `consent_server_config_ttl` ($seconds) can change that; 0 or less keeps no copy
 * beyond the current request. A server that fails is not asked again for a minute.
 *
 * @return array|WP_Error
 */
function consent_server_config() {
	static $memo = array(); // One fetch per page render, whatever the TTL.
	$key = consent_server_config_transient();
	if ( isset( $memo[ $key ] ) ) {
		return $memo[ $key ];
	}
	$cached = get_transient( $key );
	if ( is_array( $cached ) ) {
		$memo[ $key ] = $cached;
		return $cached;
	}
	// A server that just failed is not asked again for a minute: pages must not wait on it each time.
	$failed = get_transient( $key . '_failed' );
	if ( is_string( $failed ) ) {
		$memo[ $key ] = new WP_Error( 'consent_server_unreachable', $failed );
		return $memo[ $key ];
	}
	$entry = consent_server_fetch_config_entry();
	if ( is_wp_error( $entry ) ) {
		set_transient( $key . '_failed', $entry->get_error_message(), MINUTE_IN_SECONDS );
		$memo[ $key ] = $entry;
		return $entry;
	}
	$ttl = (int) apply_filters( 'consent_server_config_ttl', $entry['seconds'] );
	if ( $ttl > 0 ) {
		set_transient( $key, $entry['config'], $ttl );
	}
	$memo[ $key ] = $entry['config'];
	return $entry['config'];
}

/**
 * Transient name of the cached policy fragment for one language.
 *
 * @param string $lang Language code.
 * @return string
 */
function consent_server_policy_transient( $lang ) {
	return CONSENT_SERVER_POLICY_TRANSIENT . md5( consent_server_url() . '|' . consent_server_site() . '|' . $lang );
}

/**
 * The cookie-policy HTML fragment for a language, cached until the policy version changes.
 *
 * The cache entry remembers the policy version it was fetched for; when the
 * (separately cached) configuration reports another version, the fragment is
 * fetched again. If the server is unreachable, a stale copy is better than none.
 *
 * @param string $lang Language code (e.g. 'sv').
 * @return string|WP_Error HTML fragment as served.
 */
function consent_server_policy_fragment( $lang ) {
	$key    = consent_server_policy_transient( $lang );
	$cached = get_transient( $key );
	$config = consent_server_config();
	if ( is_wp_error( $config ) ) {
		return is_array( $cached ) ? $cached['html'] : $config;
	}
	$version = (int) $config['policy_version'];
	if ( is_array( $cached ) && (int) $cached['version'] === $version ) {
		return $cached['html'];
	}
	$url    = add_query_arg(
		array(
			'lang'     => rawurlencode( $lang ),
			'fragment' => '1',
		),
		consent_server_url() . '/sites/' . rawurlencode( consent_server_site() ) . '/cookie-policy'
	);
	$result = consent_server_http_get( $url );
	if ( is_wp_error( $result ) || 200 !== $result['status'] ) {
		if ( is_array( $cached ) ) {
			return $cached['html'];
		}
		return is_wp_error( $result ) ? $result : new WP_Error( 'consent_server_bad_policy', __( 'The cookie policy could not be fetched.', 'consent-server' ) );
	}
	set_transient(
		$key,
		array(
			'version' => $version,
			'html'    => $result['body'],
		),
		WEEK_IN_SECONDS
	);
	return $result['body'];
}
