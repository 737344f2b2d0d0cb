<?php
/**
 * Shortcode [consent_server_cookie_policy lang="sv"]: the server's cookie policy on a page.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The language to show when the shortcode names none: the site locale's language.
 *
 * @return string Two-letter code.
 */
function consent_server_default_language() {
	return strtolower( substr( (string) get_locale(), 0, 2 ) );
}

/**
 * Render the cookie policy fragment, cached until the server's policy version changes.
 *
 * The fragment goes through wp_kses_post(): the server is ours, but a page of
 * this site should not run markup it did not vet.
 *
 * @param array|string $atts Shortcode attributes (lang).
 * @return string
 */
function consent_server_cookie_policy_shortcode( $atts ) {
	$atts = shortcode_atts( array( 'lang' => consent_server_default_language() ), $atts, 'consent_server_cookie_policy' );
	$lang = strtolower( (string) $atts['lang'] );
	if ( ! preg_match( '/^[a-z]{2}$/', $lang ) ) {
		$lang = 'en';
	}
	if ( ! consent_server_is_configured() ) {
		return current_user_can( 'manage_options' )
			? '<p class="consent-server-cookie-policy-error">' . esc_html__( 'Consent Server: set the server URL and site under Settings → Consent Server.', 'consent-server' ) . '</p>'
			: '';
	}
	$html = consent_server_policy_fragment( $lang );
	if ( is_wp_error( $html ) ) {
		$message = current_user_can( 'manage_options' )
			? $html->get_error_message()
			: __( 'The cookie policy cannot be shown right now.', 'consent-server' );
		return '<p class="consent-server-cookie-policy-error">' . esc_html( $message ) . '</p>';
	}
	return '<div class="consent-server-cookie-policy" lang="' . esc_attr( $lang ) . '">' . wp_kses_post( $html ) . '</div>';
}
add_shortcode( 'consent_server_cookie_policy', 'consent_server_cookie_policy_shortcode' );
