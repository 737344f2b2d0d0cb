<?php
/**
 * Plugin Name: WP Consent API (test stand-in)
 * Description: Test only. Written from the WP Consent API's documented contract (docs/REFERENCE: functions, wp_consent_* cookies, JS functions and events), not from its code. WP_CONSENT_API_DIR swaps in the real plugin.
 * License: GPL-2.0-or-later
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/** WooCommerce and others detect the API by this class. */
class WP_CONSENT_API {
	const VERSION = 'stand-in';
}

/**
 * The categories the API knows; anything else counts as `functional`.
 *
 * @return string[]
 */
function cs_standin_consent_categories() {
	return array( 'functional', 'preferences', 'statistics', 'statistics-anonymous', 'marketing' );
}

function wp_get_consent_type() {
	return (string) apply_filters( 'wp_get_consent_type', '' );
}

function wp_has_consent( $category, $requested_by = null ) {
	if ( ! in_array( $category, cs_standin_consent_categories(), true ) ) {
		$category = 'functional';
	}
	$type   = wp_get_consent_type();
	$cookie = 'wp_consent_' . $category;
	if ( '' === $type ) {
		$has = true; // The documented pitfall: no consent type means "everything allowed".
	} elseif ( false !== strpos( $type, 'optout' ) && ! isset( $_COOKIE[ $cookie ] ) ) {
		$has = true;
	} else {
		$has = isset( $_COOKIE[ $cookie ] ) && 'allow' === $_COOKIE[ $cookie ];
	}
	return (bool) apply_filters( 'wp_has_consent', $has, $category, $requested_by );
}

function wp_set_consent( $category, $value ) {
	if ( in_array( $value, array( 'allow', 'deny' ), true ) ) {
		setcookie( 'wp_consent_' . $category, $value, time() + 30 * DAY_IN_SECONDS, '/' );
	}
}

function consent_api_registered( $plugin ) {
	return (bool) apply_filters( "wp_consent_api_registered_{$plugin}", false );
}

function cs_standin_consented_services() {
	$raw      = isset( $_COOKIE['wp_consent_consented_services'] ) ? wp_unslash( $_COOKIE['wp_consent_consented_services'] ) : '';
	$services = json_decode( (string) $raw, true );
	return is_array( $services ) ? $services : array();
}

function wp_has_service_consent( $service, $requested_by = null ) {
	$services = cs_standin_consented_services();
	return isset( $services[ $service ] ) ? (bool) $services[ $service ] : wp_has_consent( 'marketing', $requested_by );
}

function wp_set_service_consent( $service, $consented ) {
	$services             = cs_standin_consented_services();
	$services[ $service ] = (bool) $consented;
	setcookie( 'wp_consent_consented_services', wp_json_encode( $services ), time() + 30 * DAY_IN_SECONDS, '/' );
}

add_action(
	'wp_enqueue_scripts',
	function () {
		// Footer, as the real API: a script in <head> runs before wp_set_consent exists.
		wp_enqueue_script( 'wp-consent-api', plugins_url( 'wp-consent-api.js', __FILE__ ), array(), 'stand-in', true );
		wp_localize_script(
			'wp-consent-api',
			'consent_api',
			array(
				'consent_type'         => wp_get_consent_type(),
				'waitfor_consent_hook' => (bool) apply_filters( 'wp_consent_api_waitfor_consent_hook', false ),
				'cookie_expiration'    => 30,
				'cookie_prefix'        => 'wp_consent',
			)
		);
	},
	PHP_INT_MAX - 100
);
