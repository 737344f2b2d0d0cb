<?php
/**
 * WP Consent API and WooCommerce order attribution.
 *
 * With the WP Consent API plugin active, we declare the consent type
 * (`optin`) and that we respect the API; the banner's JS bridge calls
 * `wp_set_consent()` and fires `wp_consent_type_defined`. The API's
 * `wp_has_consent` filter then never answers more than the visitor's decision
 * in force grants: its `wp_consent_*` cookies still say `allow` on the request
 * on which the banner asks again, until the banner has set them to `deny`.
 * This plugin never defines `wp_has_consent()` or any other function of that API.
 *
 * Without the WP Consent API, WooCommerce's order attribution is on by default
 * and writes its `sbjs_*` cookies on the first page view, so we answer its
 * `wc_order_attribution_allow_tracking` filter from our own cookie; the banner
 * calls `window.wc_order_attribution.setOrderTracking(bool)` on decisions.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Whether the WP Consent API plugin (or a drop-in of the same contract) is loaded.
 *
 * WooCommerce tests `class_exists( 'WP_CONSENT_API' )`; we accept either sign.
 *
 * @return bool
 */
function consent_server_wp_consent_api_active() {
	return class_exists( 'WP_CONSENT_API' ) || function_exists( 'wp_has_consent' );
}

/**
 * Filter `wp_get_consent_type`: our banner asks before anything runs.
 *
 * @param string $type Consent type so far.
 * @return string
 */
function consent_server_consent_type( $type ) {
	return consent_server_is_configured() ? 'optin' : $type;
}

/**
 * Filter `wp_has_consent`: the API's answer, and only while our decision in force grants the category.
 *
 * @param bool   $has      The API's answer so far (from its cookies).
 * @param string $category WP Consent API category.
 * @return bool
 */
function consent_server_wp_has_consent( $has, $category ) {
	if ( ! $has || ! consent_server_is_configured() ) {
		return $has;
	}
	return false !== consent_server_category_granted( (string) $category );
}

/**
 * The purpose that WooCommerce order attribution (WP Consent API `marketing`) needs.
 *
 * @return string
 */
function consent_server_order_attribution_purpose() {
	return (string) apply_filters( 'consent_server_order_attribution_purpose', 'ads' );
}

/**
 * Filter `wc_order_attribution_allow_tracking` when the WP Consent API is absent.
 *
 * @param bool $allow WooCommerce's answer so far.
 * @return bool
 */
function consent_server_allow_order_attribution( $allow ) {
	if ( ! consent_server_is_configured() ) {
		return $allow;
	}
	return $allow && consent_server_has_consent( consent_server_order_attribution_purpose() );
}

/**
 * Hook the integrations once every plugin is loaded (the WP Consent API may load after us).
 *
 * @return void
 */
function consent_server_register_integrations() {
	if ( consent_server_wp_consent_api_active() ) {
		add_filter( 'wp_get_consent_type', 'consent_server_consent_type', 20 );
		add_filter( 'wp_consent_api_registered_' . plugin_basename( CONSENT_SERVER_FILE ), '__return_true' );
		add_filter( 'wp_has_consent', 'consent_server_wp_has_consent', 20, 2 );
		return;
	}
	add_filter( 'wc_order_attribution_allow_tracking', 'consent_server_allow_order_attribution', 20 );
}
add_action( 'plugins_loaded', 'consent_server_register_integrations', 20 );
