<?php
/**
 * The banner script tag in <head>, and the "Cookie settings" link.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const CONSENT_SERVER_SETTINGS_ANCHOR = '#consent-settings';

/**
 * Print the banner script as the first thing in <head>.
 *
 * wp_head priority 1, before WordPress prints any enqueued script (priority
 * 8-9), so Google Consent Mode defaults reach dataLayer before gtag.js or Tag
 * Manager run. Synchronous on purpose: `async`/`defer` would lose that order.
 *
 * @return void
 */
function consent_server_print_script() {
	$src = consent_server_script_url();
	if ( '' === $src ) {
		return;
	}
	echo '<script src="' . esc_url( $src ) . '" id="consent-server-js"></script>' . "\n"; // phpcs:ignore WordPress.WP.EnqueuedResources -- must precede every enqueued script.
}
add_action( 'wp_head', 'consent_server_print_script', 1 );

/**
 * HTML of a link that opens the banner's preferences.
 *
 * @param string $label Link text; defaults to "Cookie settings".
 * @return string
 */
function consent_server_settings_link( $label = '' ) {
	if ( '' === $label ) {
		$label = __( 'Cookie settings', 'consent-server' );
	}
	return '<a href="' . esc_attr( CONSENT_SERVER_SETTINGS_ANCHOR ) . '" class="consent-server-settings-link" data-consent-open="">' . esc_html( $label ) . '</a>';
}

/**
 * Shortcode [consent_server_settings_link label="..."].
 *
 * @param array|string $atts Shortcode attributes.
 * @return string
 */
function consent_server_settings_link_shortcode( $atts ) {
	$atts = shortcode_atts( array( 'label' => '' ), $atts, 'consent_server_settings_link' );
	return consent_server_settings_link( (string) $atts['label'] );
}
add_shortcode( 'consent_server_settings_link', 'consent_server_settings_link_shortcode' );

/**
 * Classic menus: a custom link to "#consent-settings" opens the preferences.
 *
 * @param array $atts Link attributes.
 * @return array
 */
function consent_server_menu_link_attributes( $atts ) {
	if ( isset( $atts['href'] ) && CONSENT_SERVER_SETTINGS_ANCHOR === $atts['href'] ) {
		$atts['data-consent-open'] = '';
	}
	return $atts;
}
add_filter( 'nav_menu_link_attributes', 'consent_server_menu_link_attributes' );

/**
 * Block themes: a Navigation "custom link" to "#consent-settings" opens the preferences.
 *
 * @param string $html  Rendered block.
 * @return string
 */
function consent_server_navigation_link_block( $html ) {
	return (string) preg_replace(
		'/<a(\s[^>]*href="' . preg_quote( CONSENT_SERVER_SETTINGS_ANCHOR, '/' ) . '")/i',
		'<a data-consent-open=""$1',
		$html
	);
}
add_filter( 'render_block_core/navigation-link', 'consent_server_navigation_link_block' );
