<?php
/**
 * Router for `php -S` serving Debian's WordPress with a private wp-content.
 *
 * Environment: WORDPRESS_CONFIG (picks /etc/wordpress/config-<name>.php in
 * Debian's wp-config.php), CS_WP_CORE (default /usr/share/wordpress),
 * CS_WP_CONTENT (the private WP_CONTENT_DIR).
 */

// php -S does not copy the environment into $_SERVER; Debian's wp-config.php reads it from there.
$_SERVER['WORDPRESS_CONFIG'] = getenv( 'WORDPRESS_CONFIG' );
$cs_core    = rtrim( getenv( 'CS_WP_CORE' ) ?: '/usr/share/wordpress', '/' );
$cs_content = rtrim( (string) getenv( 'CS_WP_CONTENT' ), '/' );
$cs_path    = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );

if ( false !== strpos( $cs_path, '..' ) || false !== strpos( $cs_path, "\0" ) ) {
	http_response_code( 400 );
	return true;
}

if ( 0 === strpos( $cs_path, '/wp-content/' ) ) {
	// Static files of the private wp-content (themes, plugins, uploads); never PHP.
	$cs_file = $cs_content . substr( $cs_path, strlen( '/wp-content' ) );
	$cs_ext  = strtolower( pathinfo( $cs_file, PATHINFO_EXTENSION ) );
	$cs_mime = array(
		'js'    => 'text/javascript',
		'css'   => 'text/css',
		'json'  => 'application/json',
		'png'   => 'image/png',
		'gif'   => 'image/gif',
		'jpg'   => 'image/jpeg',
		'svg'   => 'image/svg+xml',
		'woff2' => 'font/woff2',
		'woff'  => 'font/woff',
		'txt'   => 'text/plain',
	);
	if ( is_file( $cs_file ) && isset( $cs_mime[ $cs_ext ] ) ) {
		header( 'Content-Type: ' . $cs_mime[ $cs_ext ] );
		header( 'Content-Length: ' . filesize( $cs_file ) );
		readfile( $cs_file );
	} else {
		http_response_code( 404 );
	}
	return true;
}

$cs_file = $cs_core . $cs_path;
if ( is_dir( $cs_file ) ) {
	if ( '/' !== substr( $cs_path, -1 ) ) {
		header( 'Location: ' . $cs_path . '/', true, 301 );
		return true;
	}
	$cs_path .= 'index.php';
	$cs_file  = $cs_core . $cs_path;
}
if ( is_file( $cs_file ) && '.php' !== substr( $cs_file, -4 ) ) {
	return false; // Core's static assets: php -S serves them from the document root.
}
if ( ! is_file( $cs_file ) ) {
	$cs_path = '/index.php'; // Front controller for everything else.
	$cs_file = $cs_core . $cs_path;
}
$_SERVER['SCRIPT_NAME']     = $cs_path;
$_SERVER['PHP_SELF']        = $cs_path;
$_SERVER['SCRIPT_FILENAME'] = $cs_file;
chdir( dirname( $cs_file ) );
require $cs_file;
return true;
