<?php
/**
 * Uninstall: remove every option and transient of the plugin.
 *
 * The visitors' consent records live on the consent server and stay there.
 *
 * @package ConsentServer
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

/**
 * Delete the plugin's options and transients on the current site.
 *
 * @return void
 */
function consent_server_uninstall_site() {
	global $wpdb;
	foreach ( array( 'consent_server_url', 'consent_server_site', 'consent_server_script_map' ) as $option ) {
		delete_option( $option );
	}
	// Transients: the config, per-language policy fragments, per-user check results.
	$like_value   = $wpdb->esc_like( '_transient_consent_server_' ) . '%';
	$like_timeout = $wpdb->esc_like( '_transient_timeout_consent_server_' ) . '%';
	$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s", $like_value, $like_timeout ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	wp_cache_flush();
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $consent_server_blog_id ) {
		switch_to_blog( $consent_server_blog_id );
		consent_server_uninstall_site();
		restore_current_blog();
	}
} else {
	consent_server_uninstall_site();
}
