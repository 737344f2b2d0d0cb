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
 * @return array|WP_Error Array with 'status' and 'body'.
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
		'status' => (int) wp_remote_retrieve_response_code( $response ),
		'body'   => (string) wp_remote_retrieve_body( $response ),
	);
}

/**
 * Fetch the served site configuration from the server, uncached.
 *
 * @return array|WP_Error The decoded configuration.
 */
function consent_server_fetch_config() {
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
	return $config;
}

/**
 * The site configuration, cached in a transient for `consent_server_config_ttl` seconds.
 *
 * A TTL of 0 or less turns the cache off (every call asks the server).
 *
 * @return array|WP_Error
 */
function consent_server_config() {
	$ttl = (int) apply_filters( 'consent_server_config_ttl', 5 * MINUTE_IN_SECONDS );
	if ( $ttl > 0 ) {
		$cached = get_transient( consent_server_config_transient() );
		if ( is_array( $cached ) ) {
			return $cached;
		}
		// A server that just failed is not asked again for a minute: pages must not wait on it each time.
		$failed = get_transient( consent_server_config_transient() . '_failed' );
		if ( is_string( $failed ) ) {
			return new WP_Error( 'consent_server_unreachable', $failed );
		}
	}
	$config = consent_server_fetch_config();
	if ( $ttl > 0 ) {
		if ( is_wp_error( $config ) ) {
			set_transient( consent_server_config_transient() . '_failed', $config->get_error_message(), MINUTE_IN_SECONDS );
		} else {
			set_transient( consent_server_config_transient(), $config, $ttl );
		}
	}
	return $config;
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
