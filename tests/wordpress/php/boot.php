<?php
/**
 * Boot WordPress from the command line for the test harness (there is no wp-cli here).
 *
 * Usage: php boot.php install | php boot.php run FILE.php
 * Environment: WORDPRESS_CONFIG, CS_WP_URL (http://127.0.0.1:PORT), CS_WP_CORE,
 * and for install CS_WP_ADMIN_PASSWORD. `run` includes FILE.php with WordPress
 * loaded (admin includes too) in the global scope; it prints what it wants.
 */

$cs_mode = isset( $argv[1] ) ? $argv[1] : '';
$cs_url  = parse_url( (string) getenv( 'CS_WP_URL' ) );
$_SERVER['WORDPRESS_CONFIG'] = getenv( 'WORDPRESS_CONFIG' );
$_SERVER['HTTP_HOST']        = $cs_url['host'] . ':' . $cs_url['port'];
$_SERVER['SERVER_NAME']      = $cs_url['host'];
$_SERVER['SERVER_PORT']      = (string) $cs_url['port'];
$_SERVER['REQUEST_URI']      = '/';
$_SERVER['REQUEST_METHOD']   = 'GET';
$_SERVER['SCRIPT_NAME']      = '/index.php';
$_SERVER['PHP_SELF']         = '/index.php';
$cs_core = rtrim( getenv( 'CS_WP_CORE' ) ?: '/usr/share/wordpress', '/' );

if ( 'install' === $cs_mode ) {
	define( 'WP_INSTALLING', true );
	require $cs_core . '/wp-load.php';
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$cs_result = wp_install( 'Consent Server test shop', 'admin', 'admin@example.invalid', false, '', (string) getenv( 'CS_WP_ADMIN_PASSWORD' ) );
	echo json_encode( array( 'user_id' => $cs_result['user_id'] ) ), "\n";
	exit( 0 );
}
if ( 'run' === $cs_mode && isset( $argv[2] ) ) {
	require $cs_core . '/wp-load.php';
	require_once ABSPATH . 'wp-admin/includes/plugin.php';
	require_once ABSPATH . 'wp-admin/includes/post.php';
	require $argv[2];
	exit( 0 );
}
fwrite( STDERR, "usage: php boot.php install | run FILE.php\n" );
exit( 2 );
