<?php
/**
 * Plugin Name:       Consent Server
 * Plugin URI:        https://example.invalid/consent-server
 * Description:       Cookie banner and consent log from your own Consent Server: the banner on every page, third-party embeds blocked before consent, the cookie policy through a shortcode, and the WP Consent API kept in step.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Consent Server contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       consent-server
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'CONSENT_SERVER_VERSION', '0.1.0' );
define( 'CONSENT_SERVER_FILE', __FILE__ );
define( 'CONSENT_SERVER_DIR', __DIR__ . '/includes/' );

require_once CONSENT_SERVER_DIR . 'options.php';
require_once CONSENT_SERVER_DIR . 'remote.php';
require_once CONSENT_SERVER_DIR . 'consent.php';
require_once CONSENT_SERVER_DIR . 'head.php';
require_once CONSENT_SERVER_DIR . 'blocking.php';
require_once CONSENT_SERVER_DIR . 'integrations.php';
require_once CONSENT_SERVER_DIR . 'shortcode.php';

if ( is_admin() ) {
	require_once CONSENT_SERVER_DIR . 'settings.php';
}
