<?php
/**
 * Settings → Consent Server: server URL, site, script mapping, and "Check connection".
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const CONSENT_SERVER_PAGE  = 'consent-server';
const CONSENT_SERVER_GROUP = 'consent_server';

/**
 * Register the options with the Settings API (sanitised on save).
 *
 * @return void
 */
function consent_server_register_settings() {
	register_setting( CONSENT_SERVER_GROUP, CONSENT_SERVER_OPTION_URL, array( 'type' => 'string', 'sanitize_callback' => 'consent_server_sanitize_url', 'default' => '' ) );
	register_setting( CONSENT_SERVER_GROUP, CONSENT_SERVER_OPTION_SITE, array( 'type' => 'string', 'sanitize_callback' => 'consent_server_sanitize_site', 'default' => '' ) );
	register_setting( CONSENT_SERVER_GROUP, CONSENT_SERVER_OPTION_SCRIPT_MAP, array( 'type' => 'array', 'sanitize_callback' => 'consent_server_sanitize_script_map' ) );

	add_settings_section( 'consent_server_connection', __( 'Connection', 'consent-server' ), '__return_false', CONSENT_SERVER_PAGE );
	add_settings_field( CONSENT_SERVER_OPTION_URL, __( 'Server URL', 'consent-server' ), 'consent_server_field_url', CONSENT_SERVER_PAGE, 'consent_server_connection', array( 'label_for' => CONSENT_SERVER_OPTION_URL ) );
	add_settings_field( CONSENT_SERVER_OPTION_SITE, __( 'Site key', 'consent-server' ), 'consent_server_field_site', CONSENT_SERVER_PAGE, 'consent_server_connection', array( 'label_for' => CONSENT_SERVER_OPTION_SITE ) );
	add_settings_section( 'consent_server_blocking', __( 'Scripts held until consent', 'consent-server' ), 'consent_server_blocking_intro', CONSENT_SERVER_PAGE );
	add_settings_field( CONSENT_SERVER_OPTION_SCRIPT_MAP, __( 'Script handle = purpose', 'consent-server' ), 'consent_server_field_script_map', CONSENT_SERVER_PAGE, 'consent_server_blocking', array( 'label_for' => CONSENT_SERVER_OPTION_SCRIPT_MAP ) );
}
add_action( 'admin_init', 'consent_server_register_settings' );

/**
 * Add the page under Settings.
 *
 * @return void
 */
function consent_server_add_settings_page() {
	add_options_page( __( 'Consent Server', 'consent-server' ), __( 'Consent Server', 'consent-server' ), 'manage_options', CONSENT_SERVER_PAGE, 'consent_server_render_settings_page' );
}
add_action( 'admin_menu', 'consent_server_add_settings_page' );

/**
 * "Settings" link on the Plugins screen.
 *
 * @param string[] $links Action links.
 * @return string[]
 */
function consent_server_action_links( $links ) {
	$url = admin_url( 'options-general.php?page=' . CONSENT_SERVER_PAGE );
	array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'consent-server' ) . '</a>' );
	return $links;
}
add_filter( 'plugin_action_links_' . plugin_basename( CONSENT_SERVER_FILE ), 'consent_server_action_links' );

/** Render the server URL field. */
function consent_server_field_url() {
	printf(
		'<input type="url" class="regular-text code" id="%1$s" name="%1$s" value="%2$s" placeholder="https://consent.example.se" /><p class="description">%3$s</p>',
		esc_attr( CONSENT_SERVER_OPTION_URL ),
		esc_attr( consent_server_url() ),
		esc_html__( 'Where your Consent Server runs (https in production).', 'consent-server' )
	);
}

/** Render the site field. */
function consent_server_field_site() {
	printf(
		'<input type="text" class="regular-text code" id="%1$s" name="%1$s" value="%2$s" /><p class="description">%3$s</p>',
		esc_attr( CONSENT_SERVER_OPTION_SITE ),
		esc_attr( consent_server_site() ),
		esc_html__( 'The site\'s id on the server (public; it is part of the banner URL). Never paste an API key here.', 'consent-server' )
	);
}

/** Explain the script map. */
function consent_server_blocking_intro() {
	echo '<p>' . esc_html__( 'Scripts that other plugins enqueue under these handles are printed inert and run only after the visitor grants the purpose. Purposes are the ids of your inventory (analytics, ads, youtube, affiliate, ...).', 'consent-server' ) . '</p>';
}

/** Render the script map textarea. */
function consent_server_field_script_map() {
	$lines = array();
	foreach ( consent_server_script_map() as $handle => $purpose ) {
		$lines[] = $handle . ' = ' . $purpose;
	}
	printf(
		'<textarea class="large-text code" rows="6" id="%1$s" name="%1$s">%2$s</textarea>',
		esc_attr( CONSENT_SERVER_OPTION_SCRIPT_MAP ),
		esc_textarea( implode( "\n", $lines ) )
	);
}

/**
 * Transient key holding the last connection check of the current user.
 *
 * @return string
 */
function consent_server_check_transient() {
	return 'consent_server_check_' . get_current_user_id();
}

/**
 * admin-post handler: fetch the site configuration now and remember the outcome for the page.
 *
 * @return void
 */
function consent_server_handle_check() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You are not allowed to do this.', 'consent-server' ), 403 );
	}
	check_admin_referer( 'consent_server_check' );
	delete_transient( consent_server_config_transient() );
	delete_transient( consent_server_config_transient() . '_failed' );
	$config = consent_server_fetch_config();
	if ( is_wp_error( $config ) ) {
		$outcome = array( 'ok' => false, 'message' => $config->get_error_message() );
	} else {
		$outcome = array(
			'ok'      => true,
			/* translators: 1: site id, 2: policy version number */
			'message' => sprintf( __( 'Connected to site %1$s: policy version %2$d.', 'consent-server' ), (string) $config['site'], (int) $config['policy_version'] ),
		);
	}
	set_transient( consent_server_check_transient(), $outcome, MINUTE_IN_SECONDS );
	wp_safe_redirect( admin_url( 'options-general.php?page=' . CONSENT_SERVER_PAGE ) );
	exit;
}
add_action( 'admin_post_consent_server_check', 'consent_server_handle_check' );

/**
 * Render the settings page.
 *
 * @return void
 */
function consent_server_render_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$outcome = get_transient( consent_server_check_transient() );
	delete_transient( consent_server_check_transient() );
	echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
	if ( is_array( $outcome ) ) {
		printf(
			'<div id="consent-server-check-result" class="notice %1$s"><p>%2$s</p></div>',
			$outcome['ok'] ? 'notice-success' : 'notice-error',
			esc_html( (string) $outcome['message'] )
		);
	}
	echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
	settings_fields( CONSENT_SERVER_GROUP );
	do_settings_sections( CONSENT_SERVER_PAGE );
	submit_button();
	echo '</form>';
	echo '<h2>' . esc_html__( 'Check connection', 'consent-server' ) . '</h2>';
	echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
	echo '<input type="hidden" name="action" value="consent_server_check" />';
	wp_nonce_field( 'consent_server_check' );
	submit_button( __( 'Check connection', 'consent-server' ), 'secondary', 'consent-server-check', false );
	echo '</form>';
	echo '<h2>' . esc_html__( 'For theme and plugin authors', 'consent-server' ) . '</h2><p>';
	echo esc_html__( 'PHP: consent_server_has_consent( \'analytics\' ) reads the visitor\'s consent cookie. Shortcodes: [consent_server_cookie_policy lang="sv"] and [consent_server_settings_link]. A menu link to #consent-settings opens the preferences.', 'consent-server' );
	echo '</p></div>';
}
