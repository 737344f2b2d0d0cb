<?php
/**
 * Plugin Name: Consent Server test fixtures
 * Description: Test only. Enqueues a fake Google Analytics tag under Site Kit's handle and answers YouTube oEmbed without the network.
 * License: GPL-2.0-or-later
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

add_action(
	'wp_enqueue_scripts',
	function () {
		// Site Kit registers gtag.js as `google_gtagjs` in <head> with an inline config after it.
		wp_enqueue_script( 'google_gtagjs', plugins_url( 'fake-gtag.js', __FILE__ ), array(), '1', false );
		wp_add_inline_script( 'google_gtagjs', 'window.dataLayer = window.dataLayer || []; window.__fakeGtagInline = true;' );
	}
);

/*
 * oEmbed without the network: WP_Embed asks wp_oembed_get(), which asks this
 * filter before fetching; WP_Embed then applies `embed_oembed_html` to the result.
 */
add_filter(
	'pre_oembed_result',
	function ( $result, $url ) {
		if ( ! preg_match( '~^https://www\.youtube\.com/watch\?v=([A-Za-z0-9_-]+)~', $url, $m ) ) {
			return $result;
		}
		return '<iframe title="Test video" width="560" height="315" src="https://www.youtube.com/embed/' . $m[1] . '?feature=oembed" frameborder="0" allowfullscreen></iframe>';
	},
	10,
	2
);
