<?php
/**
 * Plugin Name: WooCommerce order attribution (test stand-in)
 * Description: Test only. The documented contract of WooCommerce's order attribution: the wc_order_attribution_allow_tracking filter, the sbjs_* cookies on the first page view when allowed, window.wc_order_attribution.setOrderTracking(bool), and the WP Consent API integration (marketing). Records setOrderTracking calls. WOOCOMMERCE_DIR swaps in the real plugin.
 * License: GPL-2.0-or-later
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

add_action(
	'plugins_loaded',
	function () {
		if ( class_exists( 'WP_CONSENT_API' ) ) {
			add_filter(
				'wc_order_attribution_allow_tracking',
				function () {
					return function_exists( 'wp_has_consent' ) && wp_has_consent( 'marketing' );
				}
			);
		}
	}
);

add_action(
	'wp_enqueue_scripts',
	function () {
		wp_enqueue_script( 'wc-order-attribution', plugins_url( 'order-attribution.js', __FILE__ ), array(), 'stand-in', true );
		wp_localize_script(
			'wc-order-attribution',
			'wc_order_attribution',
			array(
				'params' => array(
					'allowTracking' => (bool) apply_filters( 'wc_order_attribution_allow_tracking', true ),
					'session'       => 30,
				),
				'fields' => array(),
			)
		);
		if ( class_exists( 'WP_CONSENT_API' ) ) {
			wp_enqueue_script( 'wc-wp-consent-api-integration', plugins_url( 'consent-api-integration.js', __FILE__ ), array( 'wp-consent-api', 'wc-order-attribution' ), 'stand-in', true );
		}
	}
);
