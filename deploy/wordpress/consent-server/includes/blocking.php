<?php
/**
 * Server-side blocking of what is already in the HTML before the banner runs.
 *
 * Iframes and pixels from hosts mapped to a purpose become the banner's
 * placeholder markup (`data-consent="PURPOSE" data-src=...`, no `src`, so the
 * browser requests nothing). Scripts enqueued under a handle mapped to a
 * purpose become `type="text/plain" data-consent="PURPOSE"`; the banner turns
 * them back into live elements once the purpose is granted.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Host (or parent domain) => purpose, after the `consent_server_host_purposes` filter.
 *
 * Affiliate hosts are the Swedish networks' tracking hosts (Adtraction,
 * Adrecord, Tradedoubler, Double.net).
 *
 * @return array<string,string>
 */
function consent_server_host_purposes() {
	$map = array(
		'youtube.com'          => 'youtube',
		'youtube-nocookie.com' => 'youtube',
		'youtu.be'             => 'youtube',
		'track.adtraction.com' => 'affiliate',
		'click.adrecord.com'   => 'affiliate',
		'track.adrecord.com'   => 'affiliate',
		'clk.tradedoubler.com' => 'affiliate',
		'pdt.tradedoubler.com' => 'affiliate',
		'track.double.net'     => 'affiliate',
	);
	return (array) apply_filters( 'consent_server_host_purposes', $map );
}

/**
 * The purpose a URL's host is mapped to, or '' for none.
 *
 * @param string $url Absolute or protocol-relative URL.
 * @return string
 */
function consent_server_purpose_for_url( $url ) {
	$url  = html_entity_decode( (string) $url, ENT_QUOTES );
	$host = strtolower( (string) wp_parse_url( 0 === strpos( $url, '//' ) ? 'https:' . $url : $url, PHP_URL_HOST ) );
	if ( '' === $host ) {
		return '';
	}
	foreach ( consent_server_host_purposes() as $domain => $purpose ) {
		$domain = strtolower( (string) $domain );
		if ( $host === $domain || substr( $host, -strlen( '.' . $domain ) ) === '.' . $domain ) {
			return (string) $purpose;
		}
	}
	return '';
}

/**
 * Turn one <iframe ...> or <img ...> opening tag into placeholder markup when its source is mapped.
 *
 * @param string $tag Opening tag.
 * @return string
 */
function consent_server_block_element_tag( $tag ) {
	if ( preg_match( '/\sdata-consent\s*=/i', $tag ) ) {
		return $tag; // Already marked, by us or by the author.
	}
	if ( ! preg_match( '/\ssrc\s*=\s*("([^"]*)"|\'([^\']*)\'|([^\s>]+))/i', $tag, $m ) ) {
		return $tag;
	}
	$src     = isset( $m[4] ) && '' !== $m[4] ? $m[4] : ( isset( $m[3] ) && '' !== $m[3] ? $m[3] : $m[2] );
	$purpose = consent_server_purpose_for_url( $src );
	if ( '' === $purpose ) {
		return $tag;
	}
	$tag = (string) preg_replace( '/\ssrc(\s*=)/i', ' data-src$1', $tag, 1 );
	$tag = (string) preg_replace( '/\ssrcset(\s*=)/i', ' data-srcset$1', $tag, 1 );
	return (string) preg_replace( '/^<(iframe|img)\b/i', '<$1 data-consent="' . esc_attr( $purpose ) . '"', $tag );
}

/**
 * Rewrite every mapped iframe and img in a piece of HTML.
 *
 * @param string $html HTML.
 * @return string
 */
function consent_server_block_html( $html ) {
	if ( ! is_string( $html ) || false === stripos( $html, 'src' ) ) {
		return $html;
	}
	return (string) preg_replace_callback(
		'/<(?:iframe|img)\b[^>]*>/i',
		function ( $m ) {
			return consent_server_block_element_tag( $m[0] );
		},
		$html
	);
}

/**
 * Filter `embed_oembed_html`: oEmbed results (YouTube and the like) become placeholders.
 *
 * @param string|false $html oEmbed HTML.
 * @return string|false
 */
function consent_server_block_oembed( $html ) {
	return is_string( $html ) ? consent_server_block_html( $html ) : $html;
}
add_filter( 'embed_oembed_html', 'consent_server_block_oembed', 99 );

// Iframes and pixels typed into posts or printed by shortcodes (do_shortcode runs at 11).
add_filter( 'the_content', 'consent_server_block_html', 99 );
add_filter( 'widget_text_content', 'consent_server_block_html', 99 );
add_filter( 'widget_block_content', 'consent_server_block_html', 99 );

/**
 * Make every <script> opening tag in $tag inert: type="text/plain" data-consent="PURPOSE".
 *
 * @param string $tag     One or more script elements.
 * @param string $purpose Purpose id.
 * @return string
 */
function consent_server_block_script_html( $tag, $purpose ) {
	return (string) preg_replace_callback(
		'/<script\b([^>]*)>/i',
		function ( $m ) use ( $purpose ) {
			if ( preg_match( '/\sdata-consent\s*=/i', $m[1] ) ) {
				return $m[0];
			}
			$type  = '';
			if ( preg_match( '/\stype\s*=\s*("([^"]*)"|\'([^\']*)\'|([^\s>]+))/i', $m[1], $t ) ) {
				$type = strtolower( trim( (string) end( $t ) ) );
			}
			$attrs = (string) preg_replace( '/\stype\s*=\s*("[^"]*"|\'[^\']*\'|[^\s>]+)/i', '', $m[1] );
			// The banner restores a non-classic type (e.g. module) from data-type.
			$keep = ( '' !== $type && 'text/javascript' !== $type ) ? ' data-type="' . esc_attr( $type ) . '"' : '';
			return '<script type="text/plain" data-consent="' . esc_attr( $purpose ) . '"' . $keep . $attrs . '>';
		},
		$tag
	);
}

/**
 * Filter `script_loader_tag`: block scripts whose handle is mapped to a purpose.
 *
 * On WordPress 6.1-6.3 this sees the whole output of the handle (inline
 * before/after scripts included); on 6.4+ the attribute filters below have
 * already marked them and this leaves them alone.
 *
 * @param string $tag    Script HTML.
 * @param string $handle Script handle.
 * @return string
 */
function consent_server_block_script_tag( $tag, $handle ) {
	$map = consent_server_script_map();
	if ( ! isset( $map[ $handle ] ) || 'necessary' === $map[ $handle ] ) {
		return $tag;
	}
	return consent_server_block_script_html( $tag, $map[ $handle ] );
}
add_filter( 'script_loader_tag', 'consent_server_block_script_tag', 99, 2 );

/**
 * Filters `wp_script_attributes` / `wp_inline_script_attributes` (WordPress 6.4+ prints enqueued scripts through them).
 *
 * @param array $attributes Script attributes; `id` is "{handle}-js" or "{handle}-js-before|after|translations".
 * @return array
 */
function consent_server_block_script_attributes( $attributes ) {
	if ( ! is_array( $attributes ) || empty( $attributes['id'] ) || isset( $attributes['data-consent'] ) ) {
		return $attributes;
	}
	if ( ! preg_match( '/^(.+)-js(?:-before|-after|-translations)?$/', (string) $attributes['id'], $m ) ) {
		return $attributes;
	}
	$map = consent_server_script_map();
	if ( isset( $map[ $m[1] ] ) && 'necessary' !== $map[ $m[1] ] ) {
		if ( ! empty( $attributes['type'] ) && 'text/javascript' !== $attributes['type'] ) {
			$attributes['data-type'] = $attributes['type'];
		}
		$attributes['type']         = 'text/plain';
		$attributes['data-consent'] = $map[ $m[1] ];
	}
	return $attributes;
}
add_filter( 'wp_script_attributes', 'consent_server_block_script_attributes', 99 );
add_filter( 'wp_inline_script_attributes', 'consent_server_block_script_attributes', 99 );
