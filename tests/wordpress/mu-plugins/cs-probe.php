<?php
/**
 * Plugin Name: Consent Server test probe
 * Description: Test only. `?cs_probe=1` prints what PHP believes about the visitor's consent, as JSON.
 * License: GPL-2.0-or-later
 */

add_action(
	'init',
	function () {
		if ( ! isset( $_GET['cs_probe'] ) ) {
			return;
		}
		$out = array( 'has_consent' => array(), 'cookie' => null );
		if ( function_exists( 'consent_server_has_consent' ) ) {
			foreach ( array( 'necessary', 'analytics', 'ads', 'youtube', 'affiliate' ) as $purpose ) {
				$out['has_consent'][ $purpose ] = consent_server_has_consent( $purpose );
			}
			$out['cookie'] = consent_server_consent_state();
		}
		if ( function_exists( 'wp_has_consent' ) ) {
			$out['wp_consent_type'] = wp_get_consent_type();
			$out['registered']      = consent_api_registered( 'consent-server/consent-server.php' );
			$out['wp_has_consent']  = array();
			foreach ( array( 'functional', 'preferences', 'statistics', 'statistics-anonymous', 'marketing' ) as $category ) {
				$out['wp_has_consent'][ $category ] = wp_has_consent( $category );
			}
		}
		$out['order_attribution_allowed'] = (bool) apply_filters( 'wc_order_attribution_allow_tracking', true );
		header( 'Content-Type: application/json' );
		echo wp_json_encode( $out );
		exit;
	},
	99
);

// Shows that consent_server_has_consent() is filterable: a test cookie grants one purpose.
add_filter(
	'consent_server_has_consent',
	function ( $granted, $purpose ) {
		return ( isset( $_COOKIE['cs_test_force_grant'] ) && $_COOKIE['cs_test_force_grant'] === $purpose ) ? true : $granted;
	},
	10,
	2
);
