// Magic strings in one place. Shapes are in docs/CONTRACTS.md.

/**
 * @typedef {{name:string,domain:?string,party:string,type:string,duration:(number|string)}} StorageItem
 * @typedef {{name:string,provider:string,country:string,privacy_policy_url:string,storage:StorageItem[]}} Service
 * @typedef {{purpose:string,required:boolean,title:Object<string,string>,description:Object<string,string>,
 *   wp_consent_categories:string[],google_consent_signals:string[],services:Service[]}} Purpose
 * @typedef {{site:string,policy_version:number,consent_floor:number,default_language:string,languages:string[],max_age_days:number,
 *   endpoints:{consents:string,policy:string,receipts:string,visitors:string},purposes:Purpose[],
 *   texts:Object<string,Object<string,string>>}} Config
 * @typedef {{v:string,p:number,c:Object<string,number>,r:?string,t:number}} Stored  the cs_consent cookie
 */

/** The server replaces this literal, quotes included, with the site's configuration (JSON). */
export const CONFIG_SLOT = "__CONSENT_CONFIG__";

export const COOKIE = 'cs_consent';
export const PENDING = 'cs_pending';
export const PENDING_MAX = 20;

export const EVENT_CHANGE = 'consent:change';
export const EVENT_WITHDRAW = 'consent:withdraw';
export const EVENT_ERROR = 'consent:error';
export const ATTR = 'data-consent';
export const ATTR_OPEN = 'data-consent-open';

export const GCM_BASE = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage'];
export const GCM_WAIT_MS = 500;
export const GPC_DENIED = ['ads', 'affiliate'];
export const ORDER_TRACKING_PURPOSE = 'ads';

export const WP_TYPE = 'optin';
export const WP_TYPE_EVENT = 'wp_consent_type_defined';

export const ACTIONS = {
  accept: 'accept_all', reject: 'reject_all', custom: 'custom',
  withdraw: 'withdraw', gpc: 'gpc', placeholder: 'placeholder',
};
